ALTER TABLE "social_posts" ALTER COLUMN "item_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "social_posts" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "social_posts" ADD COLUMN "journey_id" uuid;--> statement-breakpoint
ALTER TABLE "social_posts" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "social_posts" ADD CONSTRAINT "social_posts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social_posts" ADD CONSTRAINT "social_posts_journey_id_journeys_id_fk" FOREIGN KEY ("journey_id") REFERENCES "public"."journeys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "social_posts_campaign_idx" ON "social_posts" USING btree ("workspace_id","campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "social_posts_idempotency_idx" ON "social_posts" USING btree ("workspace_id","idempotency_key");