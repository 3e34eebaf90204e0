DROP INDEX "journey_runs_contact_idx";--> statement-breakpoint
DROP INDEX "device_tokens_contact_idx";--> statement-breakpoint
DROP INDEX "deal_contacts_contact_idx";--> statement-breakpoint
DROP INDEX "messages_contact_idx";--> statement-breakpoint
DROP INDEX "tickets_contact_idx";--> statement-breakpoint
DROP INDEX "contact_activities_contact_idx";--> statement-breakpoint
CREATE INDEX "clv_scores_contact_idx" ON "clv_scores" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_clusters_contact_idx" ON "contact_clusters" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "rfm_scores_contact_idx" ON "rfm_scores" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "list_members_contact_idx" ON "list_members" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "segment_members_contact_idx" ON "segment_members" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "trigger_firings_contact_idx" ON "trigger_firings" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "broadcast_recipients_contact_idx" ON "broadcast_recipients" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "journey_holdouts_contact_idx" ON "journey_holdouts" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "ticket_ratings_contact_idx" ON "ticket_ratings" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "journey_runs_contact_idx" ON "journey_runs" USING btree ("contact_id","status");--> statement-breakpoint
CREATE INDEX "device_tokens_contact_idx" ON "device_tokens" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "deal_contacts_contact_idx" ON "deal_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "messages_contact_idx" ON "messages" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_contact_idx" ON "tickets" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_activities_contact_idx" ON "contact_activities" USING btree ("contact_id","occurred_at");