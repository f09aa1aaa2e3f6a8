import { createRouter } from "../../openapi/router";
import { datasetDataRoutes } from "./data";
import { datasetLifecycleRoutes } from "./lifecycle";

/** Every /api/datasets route: the lifecycle (create, read, rows, cancel, freeze, files, delete) and its data (import, export, validation). */
export const datasetRoutes = createRouter().route("/", datasetLifecycleRoutes).route("/", datasetDataRoutes);
