export { Allowance, type Ask, type Grant, type Observation } from "./allowance";
export { ProviderLimiter } from "./object";
