export default {
  async fetch() {
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
export class Tenant {}
export class FineTuneJob {}
export class LocalVectorIndex {}
