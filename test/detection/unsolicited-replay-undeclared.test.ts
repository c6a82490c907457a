// Detection matrix: the rows are data in rows/unsolicited-replay-undeclared.ts (see there for what
// they cover), the machinery in matrix.ts.
import { defineDetectionMatrix } from './matrix.ts';
import { MATRIX } from './rows/unsolicited-replay-undeclared.ts';

defineDetectionMatrix(MATRIX);
