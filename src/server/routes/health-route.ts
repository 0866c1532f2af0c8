import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";

/**
 * `GET /health`: liveness. Answers as long as the event loop turns, which it does while
 * models compute (ONNX Runtime runs off the event loop), so a busy server is not restarted.
 */
export function registerHealthRoute(app: FastifyInstance): void {
  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "Liveness", response: { 200: Type.Object({ status: Type.Literal("ok") }) } },
    },
    async () => ({ status: "ok" as const }),
  );
}
