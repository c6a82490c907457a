// Detection matrix: the rows are data in rows/protocol.ts (see there for what they cover), the
// machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/protocol.ts';

defineDetectionMatrix(MATRIX);
