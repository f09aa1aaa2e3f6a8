export default { async fetch() { return new Response("ok"); } } satisfies ExportedHandler<EmulatorEnv>; export class EmulatorState {}
