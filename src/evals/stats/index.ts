export { bootstrapMeanInterval, DEFAULT_RESAMPLES, mean, quantileSorted, type BootstrapOptions, type Interval } from "./bootstrap";
export { mulberry32, seedOf, type Random } from "./prng";
export { pairedDifference, summarize, type MetricSummary, type PairedSummary, type Score } from "./summary";
