ALTER TABLE "events" DROP CONSTRAINT "events_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_contact_id_contacts_id_fk";
