// Detection matrix: the rows are data in rows/wrapping.ts (see there for what they cover), the
// machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/wrapping.ts';

defineDetectionMatrix(MATRIX);
