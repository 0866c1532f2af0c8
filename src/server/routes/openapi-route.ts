import type { FastifyInstance } from "fastify";

/** `GET /openapi.json`: the OpenAPI document, generated from the same schemas that validate requests. */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get("/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
}
