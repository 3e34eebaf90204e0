ALTER TABLE "messages" ADD COLUMN "broadcast_id" uuid;--> statement-breakpoint
CREATE INDEX "messages_broadcast_idx" ON "messages" USING btree ("broadcast_id","node_id");--> statement-breakpoint
UPDATE "messages" SET "broadcast_id" = "journey_id", "journey_id" = NULL WHERE "idempotency_key" LIKE 'broadcast:%' AND "journey_id" IN (SELECT "id" FROM "broadcasts");
