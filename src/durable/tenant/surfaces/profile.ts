import { ApiError } from "../../../errors";
import { createTenant, tenantInfo, updateSettings, type SettingsPatch, type TenantInfo, type TenantSettings } from "../profile";
import { Surface, surface } from "./surface";

/** The tenant's record and its own defaults. */
export class ProfileSurface extends Surface {
  /** Creates the tenant record once; a repeat returns the existing record. */
  create(info: { id: string; name: string; created_at: string }): TenantInfo {
    createTenant(this.sql, info);
    return tenantInfo(this.sql)!;
  }

  /** The tenant's record; not_found when no tenant was created under this object's name, `id`. */
  get(id: string): TenantInfo {
    const info = tenantInfo(this.sql);
    if (!info) throw new ApiError("not_found", `No tenant ${id}.`);
    return info;
  }

  /** The tenant's settings (none yet: the service defaults). */
  settings(): TenantSettings {
    return tenantInfo(this.sql)?.settings ?? {};
  }

  updateSettings(patch: SettingsPatch): TenantSettings {
    return updateSettings(this.sql, patch);
  }
}
surface(ProfileSurface, "profile");
