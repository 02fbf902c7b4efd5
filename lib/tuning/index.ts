// TEMPORARY (not committed): stands in for the issue-8 helper's lib/tuning/index.ts.
export { findLearningRate, plotLearningRateCurve, learningRateCurveSvg } from './lr_finder';
export type { FindLearningRateOptions, LearningRateFinderResult, LearningRateCurve, SuggestionMethod } from './lr_finder';
export { search, saveResults, formatResults } from './search';
export type { SearchOptions, SearchResult, SearchSpace, TrialResult, TrialStatus, Params, ParamValue, ParamRange, HalvingOptions } from './search';
