ALTER TABLE "outbox" DROP CONSTRAINT "outbox_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "outbox" DROP CONSTRAINT "outbox_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "outbox" DROP CONSTRAINT "outbox_contact_id_contacts_id_fk";
