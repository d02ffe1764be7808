CREATE TABLE "loyalty_ledger_accounts" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL,
    "lot_points" INTEGER NOT NULL,
    "debt" INTEGER NOT NULL,
    "earned" INTEGER NOT NULL,
    "redeemed" INTEGER NOT NULL,
    "expired" INTEGER NOT NULL,
    "reversed" INTEGER NOT NULL,
    "adjusted" INTEGER NOT NULL,
    "written_off" INTEGER NOT NULL,
    "last_activity_at" INTEGER NULL,
    "available_snapshot" INTEGER NOT NULL,
    "pending_snapshot" INTEGER NOT NULL,
    "held_snapshot" INTEGER NOT NULL,
    "next_change_at" INTEGER NULL,
    "next_expiry_at" INTEGER NULL,
    CONSTRAINT "PK_loyalty_ledger_accounts" PRIMARY KEY ("program_id", "member_id")
);


CREATE TABLE "loyalty_ledger_holds" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "hold_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "captured" INTEGER NOT NULL,
    "closed_by" TEXT NULL,
    CONSTRAINT "PK_loyalty_ledger_holds" PRIMARY KEY ("program_id", "member_id", "hold_id"),
    CONSTRAINT "fk_loyalty_ledger_holds_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_lots" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "lot_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "original_amount" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL,
    "available_at" INTEGER NOT NULL,
    "expires_at" INTEGER NULL,
    CONSTRAINT "PK_loyalty_ledger_lots" PRIMARY KEY ("program_id", "member_id", "lot_id"),
    CONSTRAINT "fk_loyalty_ledger_lots_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_transactions" (
    "program_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" INTEGER NOT NULL,
    "recorded_at" INTEGER NOT NULL,
    "effective_at" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "related_id" TEXT NULL,
    "pending_period" INTEGER NULL,
    "requested_expires_at" INTEGER NULL,
    "is_whole_capture" INTEGER NOT NULL,
    "available_at" INTEGER NULL,
    "expires_at" INTEGER NULL,
    "reason" TEXT NULL,
    "actor" TEXT NULL,
    "applied" INTEGER NOT NULL,
    "debt_change" INTEGER NOT NULL,
    "written_off" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_transactions" PRIMARY KEY ("program_id", "id"),
    CONSTRAINT "ux_loyalty_ledger_transactions_version" UNIQUE ("program_id", "member_id", "version"),
    CONSTRAINT "fk_loyalty_ledger_transactions_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_movements" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "lot_id" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_movements" PRIMARY KEY ("program_id", "member_id", "version", "ordinal"),
    CONSTRAINT "fk_loyalty_ledger_movements_transaction" FOREIGN KEY ("program_id", "member_id", "version") REFERENCES "loyalty_ledger_transactions" ("program_id", "member_id", "version") ON DELETE RESTRICT
);


CREATE INDEX "ix_loyalty_ledger_accounts_expiry" ON "loyalty_ledger_accounts" ("program_id", "next_expiry_at");


CREATE INDEX "ix_loyalty_ledger_holds_open" ON "loyalty_ledger_holds" ("program_id", "member_id", "status");


CREATE INDEX "ix_loyalty_ledger_lots_open" ON "loyalty_ledger_lots" ("program_id", "member_id", "remaining");


CREATE INDEX "ix_loyalty_ledger_transactions_related" ON "loyalty_ledger_transactions" ("program_id", "member_id", "related_id");
