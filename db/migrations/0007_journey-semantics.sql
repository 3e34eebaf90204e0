DROP INDEX "journey_runs_entry_idx";--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "trait_times" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "is_test" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_runs" ADD COLUMN "entry_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_versions" ADD COLUMN "backfill" text;--> statement-breakpoint
ALTER TABLE "journeys" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "run_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "trigger_event_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "test" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_node_idx" ON "messages" USING btree ("journey_id","node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_runs_entry_idx" ON "journey_runs" USING btree ("journey_id","contact_id","entry_key","entry");