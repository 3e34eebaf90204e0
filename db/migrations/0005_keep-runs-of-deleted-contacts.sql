ALTER TABLE "journey_runs" DROP CONSTRAINT "journey_runs_contact_id_contacts_id_fk";
--> statement-breakpoint
ALTER TABLE "journey_runs" ALTER COLUMN "contact_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_runs" ADD CONSTRAINT "journey_runs_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;