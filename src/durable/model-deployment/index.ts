export { deploymentStub, ModelDeployment, openDeployment } from "./object";
export { costSoFarMicros, DEPLOYMENT_STATES, isFinal, type DeploymentInit, type DeploymentRecord } from "./record";
export type { DeploymentView } from "./view";
export { launchDeployment, type DeployRequest } from "./launch";
