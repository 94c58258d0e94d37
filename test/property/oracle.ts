// The oracle lives with the scenario runner, which judges the whole pipeline by the same rules
// (local/scenario/expectedNrp.ts); the property test keeps importing it from here.
export { expectedNrp } from '../../local/scenario/expectedNrp.ts';
export type { Expected } from '../../local/scenario/expectedNrp.ts';
