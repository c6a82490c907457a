// Detection matrix: the rows are data in rows/sp-logout-response.ts (see there for what they
// cover), the machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/sp-logout-response.ts';

defineDetectionMatrix(MATRIX);
