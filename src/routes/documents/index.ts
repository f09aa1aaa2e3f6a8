export { documentRoutes } from "./routes";
