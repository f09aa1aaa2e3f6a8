export { Allowance, type Ask, type Grant, type Observation, type Priority } from "./allowance";
export { ProviderLimiter } from "./object";
