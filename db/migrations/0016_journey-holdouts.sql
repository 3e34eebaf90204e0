CREATE TABLE "journey_holdouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "journey_holdouts" ADD CONSTRAINT "journey_holdouts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_holdouts" ADD CONSTRAINT "journey_holdouts_journey_id_journeys_id_fk" FOREIGN KEY ("journey_id") REFERENCES "public"."journeys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_holdouts" ADD CONSTRAINT "journey_holdouts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "journey_holdouts_journey_contact_idx" ON "journey_holdouts" USING btree ("journey_id","contact_id");--> statement-breakpoint
CREATE INDEX "journey_holdouts_workspace_idx" ON "journey_holdouts" USING btree ("workspace_id","journey_id");