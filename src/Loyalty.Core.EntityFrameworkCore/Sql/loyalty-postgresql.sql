CREATE TABLE loyalty_ledger_accounts (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    updated_at bigint NOT NULL,
    lot_points bigint NOT NULL,
    debt bigint NOT NULL,
    earned bigint NOT NULL,
    redeemed bigint NOT NULL,
    expired bigint NOT NULL,
    reversed bigint NOT NULL,
    adjusted bigint NOT NULL,
    written_off bigint NOT NULL,
    last_activity_at bigint,
    available_snapshot bigint NOT NULL,
    pending_snapshot bigint NOT NULL,
    held_snapshot bigint NOT NULL,
    next_change_at bigint,
    next_expiry_at bigint,
    CONSTRAINT "PK_loyalty_ledger_accounts" PRIMARY KEY (program_id, member_id)
);


CREATE TABLE loyalty_ledger_holds (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    hold_id character varying(128) NOT NULL,
    amount bigint NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    status integer NOT NULL,
    captured bigint NOT NULL,
    closed_by character varying(128),
    CONSTRAINT "PK_loyalty_ledger_holds" PRIMARY KEY (program_id, member_id, hold_id),
    CONSTRAINT fk_loyalty_ledger_holds_account FOREIGN KEY (program_id, member_id) REFERENCES loyalty_ledger_accounts (program_id, member_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_ledger_lots (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    lot_id character varying(128) NOT NULL,
    sequence bigint NOT NULL,
    original_amount bigint NOT NULL,
    remaining bigint NOT NULL,
    created_at bigint NOT NULL,
    available_at bigint NOT NULL,
    expires_at bigint,
    CONSTRAINT "PK_loyalty_ledger_lots" PRIMARY KEY (program_id, member_id, lot_id),
    CONSTRAINT fk_loyalty_ledger_lots_account FOREIGN KEY (program_id, member_id) REFERENCES loyalty_ledger_accounts (program_id, member_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_ledger_transactions (
    program_id character varying(128) NOT NULL,
    id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    kind integer NOT NULL,
    recorded_at bigint NOT NULL,
    effective_at bigint NOT NULL,
    amount bigint NOT NULL,
    related_id character varying(128),
    pending_period bigint,
    requested_expires_at bigint,
    is_whole_capture boolean NOT NULL,
    available_at bigint,
    expires_at bigint,
    reason character varying(1000),
    actor character varying(256),
    applied bigint NOT NULL,
    debt_change bigint NOT NULL,
    written_off bigint NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_transactions" PRIMARY KEY (program_id, id),
    CONSTRAINT ux_loyalty_ledger_transactions_version UNIQUE (program_id, member_id, version),
    CONSTRAINT fk_loyalty_ledger_transactions_account FOREIGN KEY (program_id, member_id) REFERENCES loyalty_ledger_accounts (program_id, member_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_ledger_movements (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    ordinal integer NOT NULL,
    lot_id character varying(128) NOT NULL,
    delta bigint NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_movements" PRIMARY KEY (program_id, member_id, version, ordinal),
    CONSTRAINT fk_loyalty_ledger_movements_transaction FOREIGN KEY (program_id, member_id, version) REFERENCES loyalty_ledger_transactions (program_id, member_id, version) ON DELETE RESTRICT
);


CREATE INDEX ix_loyalty_ledger_accounts_expiry ON loyalty_ledger_accounts (program_id, next_expiry_at);


CREATE INDEX ix_loyalty_ledger_holds_open ON loyalty_ledger_holds (program_id, member_id, status);


CREATE INDEX ix_loyalty_ledger_lots_open ON loyalty_ledger_lots (program_id, member_id, remaining);


CREATE INDEX ix_loyalty_ledger_transactions_related ON loyalty_ledger_transactions (program_id, member_id, related_id);
