DROP INDEX "outbox_contact_idx";--> statement-breakpoint
CREATE INDEX "outbox_contact_idx" ON "outbox" USING btree ("contact_id","id") WHERE status <> 'delivered';