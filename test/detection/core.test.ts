// Detection matrix: the rows are data in rows/core.ts (see there for what they cover), the
// machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/core.ts';

defineDetectionMatrix(MATRIX);
