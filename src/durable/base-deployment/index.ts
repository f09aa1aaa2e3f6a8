export { type AddonView, type AttachInput, BaseDeployment, type BaseDeploymentView, POLL_MS } from "./object";
export { COST_RULE, type CostShare } from "./cost";
export { baseDeploymentId } from "./reconcile";
