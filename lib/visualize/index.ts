// fg.visualize: pictures of what a network holds and does (filters, feature maps, votes), training
// and learning-rate curves, and the self-contained HTML report. Each picture has a pure function
// returning pixels or SVG (for tests and custom layouts) beside the function that writes the file.
export { filters, filterPicture } from './filters';
export type { FilterOptions, FilterPicture } from './filters';
export { featureMaps, featureMapPicture, mapStacks } from './feature_maps';
export type { FeatureMapOptions, FeatureMapPicture, MapGrid, MapStack } from './feature_maps';
export { votes, votesPicture, classScores } from './votes';
export type { VotesOptions, VotesPicture } from './votes';
export { trainingCurves, trainingCurvesSvg, batchRecorder, BatchRecorder, emaSmooth } from './curves';
export type { BatchLog, HistoryLike, TrainingCurvesOptions } from './curves';
export { lineChart } from './line_chart';
export type { ChartPanel, ChartSeries, ChartSpec, AxisScale } from './chart_svg';
export { htmlReport } from './report';
export type { HtmlReportOptions, HtmlReportResult } from './report';
export { divergingColor } from './colormap';
export { encodePng } from './picture';
export type { Picture, TextLabel } from './picture';
export type { Raster, Rgb } from './raster';
