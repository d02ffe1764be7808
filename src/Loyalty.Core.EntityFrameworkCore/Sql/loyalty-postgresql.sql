CREATE TABLE loyalty_campaign_budget_reservations (
    program_id character varying(128) NOT NULL,
    transaction_id character varying(128) NOT NULL,
    rule_id character varying(128) NOT NULL,
    points bigint NOT NULL,
    CONSTRAINT "PK_loyalty_campaign_budget_reservations" PRIMARY KEY (program_id, transaction_id, rule_id)
);


CREATE TABLE loyalty_campaign_budgets (
    program_id character varying(128) NOT NULL,
    rule_id character varying(128) NOT NULL,
    used bigint NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT "PK_loyalty_campaign_budgets" PRIMARY KEY (program_id, rule_id)
);


CREATE TABLE loyalty_card_range_locks (
    program_id character varying(128) NOT NULL,
    imports bigint NOT NULL,
    CONSTRAINT "PK_loyalty_card_range_locks" PRIMARY KEY (program_id)
);


CREATE TABLE loyalty_card_ranges (
    program_id character varying(128) NOT NULL,
    range_id character varying(64) NOT NULL,
    kind integer NOT NULL,
    first_serial bigint NOT NULL,
    last_serial bigint NOT NULL,
    imported_at bigint NOT NULL,
    taken bigint NOT NULL,
    CONSTRAINT "PK_loyalty_card_ranges" PRIMARY KEY (program_id, range_id)
);


CREATE TABLE loyalty_card_status_history (
    program_id character varying(128) NOT NULL,
    number character varying(19) NOT NULL,
    sequence integer NOT NULL,
    event integer NOT NULL,
    at bigint NOT NULL,
    reason character varying(200) NOT NULL,
    related character varying(19),
    CONSTRAINT "PK_loyalty_card_status_history" PRIMARY KEY (program_id, number, sequence)
);


CREATE TABLE loyalty_cards (
    program_id character varying(128) NOT NULL,
    number character varying(19) NOT NULL,
    member_id character varying(128) NOT NULL,
    kind integer NOT NULL,
    status integer NOT NULL,
    version bigint NOT NULL,
    issued_at bigint NOT NULL,
    member_ordinal integer NOT NULL,
    CONSTRAINT "PK_loyalty_cards" PRIMARY KEY (program_id, number)
);


CREATE TABLE loyalty_contact_history (
    program_id character varying(128) NOT NULL,
    message_id character varying(512) NOT NULL,
    member_id character varying(128) NOT NULL,
    channel integer NOT NULL,
    category integer NOT NULL,
    message_type character varying(128) NOT NULL,
    sent_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_contact_history" PRIMARY KEY (program_id, message_id)
);


CREATE TABLE loyalty_data_rights_audit (
    program_id character varying(128) NOT NULL,
    request_id character varying(100) NOT NULL,
    action integer NOT NULL,
    at bigint NOT NULL,
    requested_by character varying(200) NOT NULL,
    member_id character varying(128),
    status integer NOT NULL,
    records bigint NOT NULL,
    CONSTRAINT "PK_loyalty_data_rights_audit" PRIMARY KEY (program_id, request_id)
);


CREATE TABLE loyalty_erased_members (
    program_id character varying(128) NOT NULL,
    marker character varying(32) NOT NULL,
    CONSTRAINT "PK_loyalty_erased_members" PRIMARY KEY (program_id, marker)
);


CREATE TABLE loyalty_household_members (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    household_id character varying(128) NOT NULL,
    slot integer NOT NULL,
    joined_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_household_members" PRIMARY KEY (program_id, member_id)
);


CREATE TABLE loyalty_households (
    program_id character varying(128) NOT NULL,
    household_id character varying(128) NOT NULL,
    owner_id character varying(128) NOT NULL,
    created_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_households" PRIMARY KEY (program_id, household_id)
);


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
    chain_hash bytea,
    CONSTRAINT "PK_loyalty_ledger_accounts" PRIMARY KEY (program_id, member_id),
    CONSTRAINT ck_loyalty_ledger_accounts_chain_hash CHECK (chain_hash IS NULL OR length(chain_hash) = 32),
    CONSTRAINT ck_loyalty_ledger_accounts_snapshots CHECK (pending_snapshot >= 0 AND held_snapshot >= 0),
    CONSTRAINT ck_loyalty_ledger_accounts_totals CHECK (lot_points >= 0 AND debt >= 0 AND earned >= 0 AND redeemed >= 0 AND expired >= 0 AND reversed >= 0 AND written_off >= 0),
    CONSTRAINT ck_loyalty_ledger_accounts_version CHECK (version >= 1)
);


CREATE TABLE loyalty_maintenance_leases (
    program_id character varying(128) NOT NULL,
    name character varying(200) NOT NULL,
    holder character varying(200),
    expires_at bigint NOT NULL,
    last_completed_at bigint,
    CONSTRAINT "PK_loyalty_maintenance_leases" PRIMARY KEY (program_id, name)
);


CREATE TABLE loyalty_member_achievements (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    display_name character varying(40),
    leaderboard_opt_out boolean NOT NULL,
    state_json text NOT NULL,
    CONSTRAINT "PK_loyalty_member_achievements" PRIMARY KEY (program_id, member_id)
);


CREATE TABLE loyalty_member_activities (
    program_id character varying(128) NOT NULL,
    activity_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    fingerprint character varying(128) NOT NULL,
    kind integer NOT NULL,
    occurred_at bigint NOT NULL,
    event_name character varying(256),
    merchant_id character varying(128),
    earning_json text NOT NULL,
    transaction_id character varying(128),
    recorded_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_member_activities" PRIMARY KEY (program_id, activity_id)
);


CREATE TABLE loyalty_member_consents (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    channel integer NOT NULL,
    at bigint NOT NULL,
    status integer NOT NULL,
    source character varying(256) NOT NULL,
    CONSTRAINT "PK_loyalty_member_consents" PRIMARY KEY (program_id, member_id, channel, at)
);


CREATE TABLE loyalty_member_histories (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT "PK_loyalty_member_histories" PRIMARY KEY (program_id, member_id)
);


CREATE TABLE loyalty_member_orders (
    program_id character varying(128) NOT NULL,
    order_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    fingerprint character varying(128) NOT NULL,
    placed_at bigint NOT NULL,
    order_json text NOT NULL,
    earning_json text NOT NULL,
    tier_id character varying(128),
    transaction_id character varying(128) NOT NULL,
    recorded_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_member_orders" PRIMARY KEY (program_id, order_id)
);


CREATE TABLE loyalty_member_refunds (
    program_id character varying(128) NOT NULL,
    refund_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    order_id character varying(128) NOT NULL,
    sequence integer NOT NULL,
    fingerprint character varying(128) NOT NULL,
    refund_json text NOT NULL,
    result_json text NOT NULL,
    amount numeric NOT NULL,
    currency character varying(3) NOT NULL,
    refunded_at bigint NOT NULL,
    transaction_id character varying(128),
    recorded_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_member_refunds" PRIMARY KEY (program_id, refund_id)
);


CREATE TABLE loyalty_members (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    partition_key bigint NOT NULL,
    version bigint NOT NULL,
    enrolled_at bigint NOT NULL,
    birth_date character varying(10),
    referral_code character varying(32) NOT NULL,
    referred_by character varying(128),
    referral_completed_by character varying(128),
    tier_status text,
    last_maintained_at bigint,
    evaluation text,
    CONSTRAINT "PK_loyalty_members" PRIMARY KEY (program_id, member_id)
);


CREATE TABLE loyalty_merchant_rule_sets (
    program_id character varying(128) NOT NULL,
    merchant_id character varying(128) NOT NULL,
    version character varying(128) NOT NULL,
    effective_from bigint NOT NULL,
    definition_json text NOT NULL,
    CONSTRAINT "PK_loyalty_merchant_rule_sets" PRIMARY KEY (program_id, merchant_id, version)
);


CREATE TABLE loyalty_partners (
    program_id character varying(128) NOT NULL,
    merchant_id character varying(128) NOT NULL,
    name character varying(200) NOT NULL,
    currency character varying(3) NOT NULL,
    status integer NOT NULL,
    joined_on integer NOT NULL,
    left_on integer,
    version bigint NOT NULL,
    lock bigint NOT NULL,
    CONSTRAINT "PK_loyalty_partners" PRIMARY KEY (program_id, merchant_id)
);


CREATE TABLE loyalty_points_transfers (
    program_id character varying(128) NOT NULL,
    transfer_id character varying(128) NOT NULL,
    sender_id character varying(128) NOT NULL,
    recipient_id character varying(128) NOT NULL,
    sequence bigint NOT NULL,
    points bigint NOT NULL,
    message character varying(280),
    transferred_at bigint NOT NULL,
    status integer NOT NULL,
    legs_json text NOT NULL,
    CONSTRAINT "PK_loyalty_points_transfers" PRIMARY KEY (program_id, transfer_id)
);


CREATE TABLE loyalty_prepaid_draws (
    program_id character varying(128) NOT NULL,
    transaction_id character varying(128) NOT NULL,
    ordinal integer NOT NULL,
    merchant_id character varying(128) NOT NULL,
    block_id character varying(128) NOT NULL,
    points bigint NOT NULL,
    CONSTRAINT "PK_loyalty_prepaid_draws" PRIMARY KEY (program_id, transaction_id, ordinal)
);


CREATE TABLE loyalty_reward_code_uses (
    program_id character varying(128) NOT NULL,
    code character varying(64) NOT NULL,
    order_id character varying(128) NOT NULL,
    used_at bigint NOT NULL,
    CONSTRAINT "PK_loyalty_reward_code_uses" PRIMARY KEY (program_id, code, order_id)
);


CREATE TABLE loyalty_reward_codes (
    program_id character varying(128) NOT NULL,
    code character varying(64) NOT NULL,
    redemption_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    reward_id character varying(128) NOT NULL,
    kind integer NOT NULL,
    benefit character varying(256) NOT NULL,
    points_spent bigint NOT NULL,
    issued_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    max_uses integer NOT NULL,
    uses integer NOT NULL,
    return_points_on_expiry boolean NOT NULL,
    status integer NOT NULL,
    closed_at bigint,
    points_returned bigint NOT NULL,
    CONSTRAINT "PK_loyalty_reward_codes" PRIMARY KEY (program_id, code)
);


CREATE TABLE loyalty_reward_redemptions (
    program_id character varying(128) NOT NULL,
    redemption_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    reward_id character varying(128) NOT NULL,
    reward_name character varying(256) NOT NULL,
    kind integer NOT NULL,
    benefit character varying(256) NOT NULL,
    points_spent bigint NOT NULL,
    code character varying(128) NOT NULL,
    redeemed_at bigint NOT NULL,
    ledger_transaction_id character varying(128) NOT NULL,
    status integer NOT NULL,
    cancelled_at bigint,
    CONSTRAINT "PK_loyalty_reward_redemptions" PRIMARY KEY (program_id, redemption_id)
);


CREATE TABLE loyalty_reward_stock_claims (
    program_id character varying(128) NOT NULL,
    reward_id character varying(128) NOT NULL,
    redemption_id character varying(128) NOT NULL,
    unit bigint NOT NULL,
    CONSTRAINT "PK_loyalty_reward_stock_claims" PRIMARY KEY (program_id, reward_id, redemption_id)
);


CREATE TABLE loyalty_rewards (
    program_id character varying(128) NOT NULL,
    reward_id character varying(128) NOT NULL,
    position integer NOT NULL,
    name character varying(256) NOT NULL,
    kind integer NOT NULL,
    cost bigint NOT NULL,
    amount_off numeric,
    currency character varying(3),
    percentage numeric,
    gift_sku character varying(256),
    rate_points bigint,
    rate_worth numeric,
    minimum_points bigint,
    maximum_share_of_order numeric,
    required_tier character varying(128),
    stock bigint,
    valid_from bigint,
    valid_until bigint,
    cost_to_shop numeric,
    cost_to_shop_currency character varying(3),
    code_validity_days integer,
    code_valid_through character varying(10),
    code_uses integer NOT NULL,
    return_points_on_expiry boolean NOT NULL,
    CONSTRAINT "PK_loyalty_rewards" PRIMARY KEY (program_id, reward_id)
);


CREATE TABLE loyalty_rule_sets (
    program_id character varying(128) NOT NULL,
    version character varying(128) NOT NULL,
    effective_from bigint NOT NULL,
    definition_json text NOT NULL,
    CONSTRAINT "PK_loyalty_rule_sets" PRIMARY KEY (program_id, version)
);


CREATE TABLE loyalty_settlement_runs (
    program_id character varying(128) NOT NULL,
    period character varying(7) NOT NULL,
    status integer NOT NULL,
    closed_at bigint,
    content text NOT NULL,
    CONSTRAINT "PK_loyalty_settlement_runs" PRIMARY KEY (program_id, period)
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
    CONSTRAINT ck_loyalty_ledger_holds_amount CHECK (amount > 0),
    CONSTRAINT ck_loyalty_ledger_holds_captured CHECK (captured >= 0 AND captured <= amount AND (status = 2 OR captured = 0)),
    CONSTRAINT ck_loyalty_ledger_holds_status CHECK (status BETWEEN 1 AND 4),
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
    CONSTRAINT ck_loyalty_ledger_lots_availability CHECK (available_at >= created_at),
    CONSTRAINT ck_loyalty_ledger_lots_remaining CHECK (original_amount >= 0 AND remaining >= 0 AND remaining <= original_amount),
    CONSTRAINT ck_loyalty_ledger_lots_sequence CHECK (sequence >= 1),
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
    chain_hash bytea,
    merchant_id character varying(128),
    CONSTRAINT "PK_loyalty_ledger_transactions" PRIMARY KEY (program_id, id),
    CONSTRAINT ux_loyalty_ledger_transactions_version UNIQUE (program_id, member_id, version),
    CONSTRAINT ck_loyalty_ledger_transactions_amount CHECK ((kind IN (1, 2, 3, 7) AND amount > 0) OR (kind = 8 AND amount <> 0) OR (kind IN (4, 5, 6) AND amount >= 0)),
    CONSTRAINT ck_loyalty_ledger_transactions_chain_hash CHECK (chain_hash IS NULL OR length(chain_hash) = 32),
    CONSTRAINT ck_loyalty_ledger_transactions_kind CHECK (kind BETWEEN 1 AND 8),
    CONSTRAINT ck_loyalty_ledger_transactions_reversal CHECK (applied >= 0 AND written_off >= 0),
    CONSTRAINT ck_loyalty_ledger_transactions_version CHECK (version >= 1),
    CONSTRAINT fk_loyalty_ledger_transactions_account FOREIGN KEY (program_id, member_id) REFERENCES loyalty_ledger_accounts (program_id, member_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_partner_agreements (
    program_id character varying(128) NOT NULL,
    merchant_id character varying(128) NOT NULL,
    version integer NOT NULL,
    effective_from integer NOT NULL,
    effective_until integer,
    currency character varying(3) NOT NULL,
    billing integer NOT NULL,
    issuance_price numeric(28,10) NOT NULL,
    billing_percentage numeric(28,10) NOT NULL,
    reimbursement_price numeric(28,10) NOT NULL,
    CONSTRAINT "PK_loyalty_partner_agreements" PRIMARY KEY (program_id, merchant_id, version),
    CONSTRAINT fk_loyalty_partner_agreements_partner FOREIGN KEY (program_id, merchant_id) REFERENCES loyalty_partners (program_id, merchant_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_prepaid_blocks (
    program_id character varying(128) NOT NULL,
    merchant_id character varying(128) NOT NULL,
    block_id character varying(128) NOT NULL,
    points bigint NOT NULL,
    price_per_point numeric(28,10) NOT NULL,
    currency character varying(3) NOT NULL,
    purchased_at bigint NOT NULL,
    expires_at bigint,
    is_reserve boolean NOT NULL,
    drawn bigint NOT NULL,
    CONSTRAINT "PK_loyalty_prepaid_blocks" PRIMARY KEY (program_id, merchant_id, block_id),
    CONSTRAINT ck_loyalty_prepaid_blocks_drawn CHECK (drawn >= 0 AND drawn <= points),
    CONSTRAINT fk_loyalty_prepaid_blocks_partner FOREIGN KEY (program_id, merchant_id) REFERENCES loyalty_partners (program_id, merchant_id) ON DELETE RESTRICT
);


CREATE TABLE loyalty_ledger_movements (
    program_id character varying(128) NOT NULL,
    member_id character varying(128) NOT NULL,
    version bigint NOT NULL,
    ordinal integer NOT NULL,
    lot_id character varying(128) NOT NULL,
    delta bigint NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_movements" PRIMARY KEY (program_id, member_id, version, ordinal),
    CONSTRAINT ck_loyalty_ledger_movements_ordinal CHECK (version >= 1 AND ordinal >= 0),
    CONSTRAINT fk_loyalty_ledger_movements_transaction FOREIGN KEY (program_id, member_id, version) REFERENCES loyalty_ledger_transactions (program_id, member_id, version) ON DELETE RESTRICT
);


CREATE INDEX ix_loyalty_card_ranges_first_serial ON loyalty_card_ranges (program_id, first_serial);


CREATE INDEX ix_loyalty_cards_member ON loyalty_cards (program_id, member_id, issued_at);


CREATE INDEX ix_loyalty_contact_history_member ON loyalty_contact_history (program_id, member_id, sent_at);


CREATE INDEX ix_loyalty_data_rights_audit_at ON loyalty_data_rights_audit (program_id, at);


CREATE INDEX ix_loyalty_data_rights_audit_member ON loyalty_data_rights_audit (program_id, member_id);


CREATE UNIQUE INDEX ux_loyalty_household_members_slot ON loyalty_household_members (program_id, household_id, slot);


CREATE INDEX ix_loyalty_ledger_accounts_expiry ON loyalty_ledger_accounts (program_id, next_expiry_at);


CREATE INDEX ix_loyalty_ledger_holds_open ON loyalty_ledger_holds (program_id, member_id, status);


CREATE INDEX ix_loyalty_ledger_lots_open ON loyalty_ledger_lots (program_id, member_id, remaining);


CREATE INDEX ix_loyalty_ledger_transactions_recorded ON loyalty_ledger_transactions (program_id, recorded_at);


CREATE INDEX ix_loyalty_ledger_transactions_related ON loyalty_ledger_transactions (program_id, member_id, related_id);


CREATE INDEX ix_loyalty_member_activities_member ON loyalty_member_activities (program_id, member_id, occurred_at);


CREATE INDEX ix_loyalty_member_orders_member ON loyalty_member_orders (program_id, member_id, placed_at);


CREATE INDEX ix_loyalty_member_orders_recorded ON loyalty_member_orders (program_id, recorded_at, order_id);


CREATE INDEX ix_loyalty_member_refunds_member ON loyalty_member_refunds (program_id, member_id, refunded_at);


CREATE UNIQUE INDEX ux_loyalty_member_refunds_order_sequence ON loyalty_member_refunds (program_id, order_id, sequence);


CREATE INDEX ix_loyalty_members_partition ON loyalty_members (program_id, partition_key, member_id);


CREATE UNIQUE INDEX ux_loyalty_members_referral_code ON loyalty_members (program_id, referral_code);


CREATE UNIQUE INDEX ux_loyalty_merchant_rule_sets_effective_from ON loyalty_merchant_rule_sets (program_id, merchant_id, effective_from);


CREATE INDEX ix_loyalty_points_transfers_recipient ON loyalty_points_transfers (program_id, recipient_id);


CREATE INDEX ix_loyalty_points_transfers_sender ON loyalty_points_transfers (program_id, sender_id, transferred_at);


CREATE UNIQUE INDEX ux_loyalty_points_transfers_sender_sequence ON loyalty_points_transfers (program_id, sender_id, sequence);


CREATE INDEX ix_loyalty_reward_codes_due ON loyalty_reward_codes (program_id, status, expires_at, code);


CREATE INDEX ix_loyalty_reward_codes_member ON loyalty_reward_codes (program_id, member_id);


CREATE UNIQUE INDEX ux_loyalty_reward_codes_redemption ON loyalty_reward_codes (program_id, redemption_id);


CREATE INDEX ix_loyalty_reward_redemptions_member ON loyalty_reward_redemptions (program_id, member_id, redeemed_at);


CREATE UNIQUE INDEX ux_loyalty_reward_stock_claims_unit ON loyalty_reward_stock_claims (program_id, reward_id, unit);


CREATE UNIQUE INDEX ux_loyalty_rule_sets_effective_from ON loyalty_rule_sets (program_id, effective_from);


CREATE OR REPLACE FUNCTION "loyalty_ledger_refuse_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('loyalty.allow_ledger_rewrite', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.program_id = current_setting('loyalty.rewrite_program', true)
           AND OLD.member_id = current_setting('loyalty.rewrite_member', true) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'The loyalty ledger table % is append-only: % is refused.', TG_TABLE_NAME, TG_OP
        USING HINT = 'Ledger rows are only ever inserted; to correct a balance, append an adjustment or a reversal.';
END
$$;

DROP TRIGGER IF EXISTS "loyalty_ledger_transactions_append_only" ON "loyalty_ledger_transactions";
CREATE TRIGGER "loyalty_ledger_transactions_append_only" BEFORE UPDATE OR DELETE ON "loyalty_ledger_transactions" FOR EACH ROW EXECUTE FUNCTION "loyalty_ledger_refuse_rewrite"();
DROP TRIGGER IF EXISTS "loyalty_ledger_transactions_no_truncate" ON "loyalty_ledger_transactions";
CREATE TRIGGER "loyalty_ledger_transactions_no_truncate" BEFORE TRUNCATE ON "loyalty_ledger_transactions" FOR EACH STATEMENT EXECUTE FUNCTION "loyalty_ledger_refuse_rewrite"();

DROP TRIGGER IF EXISTS "loyalty_ledger_movements_append_only" ON "loyalty_ledger_movements";
CREATE TRIGGER "loyalty_ledger_movements_append_only" BEFORE UPDATE OR DELETE ON "loyalty_ledger_movements" FOR EACH ROW EXECUTE FUNCTION "loyalty_ledger_refuse_rewrite"();
DROP TRIGGER IF EXISTS "loyalty_ledger_movements_no_truncate" ON "loyalty_ledger_movements";
CREATE TRIGGER "loyalty_ledger_movements_no_truncate" BEFORE TRUNCATE ON "loyalty_ledger_movements" FOR EACH STATEMENT EXECUTE FUNCTION "loyalty_ledger_refuse_rewrite"();
