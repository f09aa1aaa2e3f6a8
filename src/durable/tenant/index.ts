export { Tenant, type SurfaceName } from "./object";
export { openTenant, TenantHandle } from "./handle";
export type { TenantInfo, TenantSettings } from "./profile";
export type { StepRef, StepStart, StepSpend } from "./surfaces/generation";
