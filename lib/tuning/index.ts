// fg.tuning: tools that answer "is this the right model for this data?" by training and measuring.
// Deliberately only re-exports: each tool lives in its own file.
export { spatialStructureTest, permutePositions } from './spatial_structure';
export type { SpatialStructureOptions, SpatialStructureResult } from './spatial_structure';
