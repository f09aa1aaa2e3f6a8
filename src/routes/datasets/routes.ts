import { createRouter } from "../../openapi/router";
import { datasetDataRoutes } from "./data";
import { datasetLifecycleRoutes } from "./lifecycle";
import { datasetSnapshotRoutes } from "./snapshots";

/** Every /api/datasets route: the lifecycle (create, read, rows, cancel, freeze, files, delete), its data (import, export, validation), its snapshots and retry. */
export const datasetRoutes = createRouter().route("/", datasetLifecycleRoutes).route("/", datasetDataRoutes).route("/", datasetSnapshotRoutes);
