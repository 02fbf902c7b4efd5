// fg.tuning: tools that answer "is this the right model for this data?" by training and measuring.
// Deliberately only re-exports: each tool lives in its own file.
export { spatialStructureTest, permutePositions } from './spatial_structure';
export type { SpatialStructureOptions, SpatialStructureResult } from './spatial_structure';
export { findLearningRate, plotLearningRateCurve, learningRateCurveSvg } from './lr_finder';
export type { FindLearningRateOptions, LearningRateFinderResult, LearningRateCurve, SuggestionMethod } from './lr_finder';
export { search, saveResults, formatResults } from './search';
export type { SearchOptions, SearchResult, SearchSpace, TrialResult, TrialStatus, Params, ParamValue, ParamRange, HalvingOptions } from './search';
