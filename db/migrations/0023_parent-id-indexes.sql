DROP INDEX "content_views_item_idx";--> statement-breakpoint
DROP INDEX "social_engagement_post_idx";--> statement-breakpoint
DROP INDEX "social_posts_item_idx";--> statement-breakpoint
DROP INDEX "social_posts_campaign_idx";--> statement-breakpoint
DROP INDEX "deal_stage_history_stage_idx";--> statement-breakpoint
DROP INDEX "deals_stage_idx";--> statement-breakpoint
CREATE INDEX "analytics_results_job_idx" ON "analytics_results" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "content_items_asset_idx" ON "content_items" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "social_posts_account_idx" ON "social_posts" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "social_posts_journey_idx" ON "social_posts" USING btree ("journey_id");--> statement-breakpoint
CREATE INDEX "deal_stage_history_from_stage_idx" ON "deal_stage_history" USING btree ("from_stage_id");--> statement-breakpoint
CREATE INDEX "deals_pipeline_idx" ON "deals" USING btree ("pipeline_id","stage_id");--> statement-breakpoint
CREATE INDEX "content_views_item_idx" ON "content_views" USING btree ("item_id","viewed_at");--> statement-breakpoint
CREATE INDEX "social_engagement_post_idx" ON "social_engagement" USING btree ("post_id","fetched_at");--> statement-breakpoint
CREATE INDEX "social_posts_item_idx" ON "social_posts" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "social_posts_campaign_idx" ON "social_posts" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "deal_stage_history_stage_idx" ON "deal_stage_history" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX "deals_stage_idx" ON "deals" USING btree ("stage_id");