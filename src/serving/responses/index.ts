export { type ChatParams, type ResponseEcho, type ResponsesRequest, toChatParams, unsupported } from "./request";
export { type ResponseContext, type ResponseObject, responseContext, responseObject, responseUsage, toResponse } from "./response";
export { serveResponses } from "./serve";
export { chunkSource, type ResponseEvent, responsesEventStream, ResponsesStreamTranslator, sseEvent, type StreamFailure } from "./stream";
