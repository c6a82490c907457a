// Detection matrix: the rows are data in rows/idp-nameid.ts (see there for what they cover), the
// machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/idp-nameid.ts';

defineDetectionMatrix(MATRIX);
