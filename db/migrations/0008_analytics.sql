CREATE TABLE "affinity_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"antecedent" text[] NOT NULL,
	"consequent" text[] NOT NULL,
	"support" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"lift" double precision NOT NULL,
	"orders" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_results" (
	"workspace_id" uuid NOT NULL,
	"model" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"result" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"job_id" uuid,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_results_workspace_id_model_pk" PRIMARY KEY("workspace_id","model")
);
--> statement-breakpoint
CREATE TABLE "analytics_settings" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"purchase_event" text DEFAULT 'Order Completed' NOT NULL,
	"revenue_paths" text[] DEFAULT '{"revenue","total"}' NOT NULL,
	"products_path" text DEFAULT 'products' NOT NULL,
	"product_key" text DEFAULT 'product_id' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clv_scores" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"frequency" integer NOT NULL,
	"recency_days" double precision NOT NULL,
	"age_days" double precision NOT NULL,
	"average_spend" double precision NOT NULL,
	"expected_purchases" double precision NOT NULL,
	"probability_alive" double precision NOT NULL,
	"expected_spend" double precision NOT NULL,
	"clv" double precision NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clv_scores_workspace_id_contact_id_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "contact_clusters" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"cluster" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_clusters_workspace_id_contact_id_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "rfm_scores" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"recency_days" double precision NOT NULL,
	"frequency" integer NOT NULL,
	"monetary" double precision NOT NULL,
	"r" integer NOT NULL,
	"f" integer NOT NULL,
	"m" integer NOT NULL,
	"segment" text NOT NULL,
	"value_class" text NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rfm_scores_workspace_id_contact_id_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
ALTER TABLE "affinity_rules" ADD CONSTRAINT "affinity_rules_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_results" ADD CONSTRAINT "analytics_results_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_results" ADD CONSTRAINT "analytics_results_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_settings" ADD CONSTRAINT "analytics_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clv_scores" ADD CONSTRAINT "clv_scores_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clv_scores" ADD CONSTRAINT "clv_scores_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_clusters" ADD CONSTRAINT "contact_clusters_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_clusters" ADD CONSTRAINT "contact_clusters_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfm_scores" ADD CONSTRAINT "rfm_scores_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfm_scores" ADD CONSTRAINT "rfm_scores_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "affinity_rules_workspace_idx" ON "affinity_rules" USING btree ("workspace_id","lift");--> statement-breakpoint
CREATE INDEX "contact_clusters_cluster_idx" ON "contact_clusters" USING btree ("workspace_id","cluster");--> statement-breakpoint
CREATE INDEX "rfm_scores_segment_idx" ON "rfm_scores" USING btree ("workspace_id","segment");