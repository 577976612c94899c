package sim

import (
	"context"
	"io/fs"
	"path/filepath"

	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// CopyReport is what a store copy moved and found, table by table (the
// portal's tables named portal.TABLE, the firms' firm.TABLE): rows and
// checksums on each side.
type CopyReport = sqldb.CopyReport

// copyTables are the portal's tables in the order a copy fills them (a
// row's account, structure and trusted computer before it), each with its
// key and every column. TestCopyTablesComplete checks that the list
// names every table and column of the schema, but for the shared limits
// (throttle_event: counts of the last hour, not worth moving).
var copyTables = []sqldb.Table{
	{Name: "account", Columns: []string{"id", "email", "first_name", "last_name", "phone", "contact_email", "password_hash", "active",
		"created_at", "second_factor", "totp_secret", "totp_last_step"}, Key: []string{"id"}, Identity: "id"},
	{Name: "structure", Columns: []string{"id", "identifier_type", "identifier", "kind", "company_name", "structure_name", "email", "phone",
		"address", "address_complement_1", "address_complement_2", "city", "postal_code", "country", "non_diffusible", "status",
		"created_at"}, Key: []string{"id"}, Identity: "id"},
	{Name: "device", Columns: []string{"id", "token_hash", "account_id", "name", "created_at", "last_used_at"}, Key: []string{"id"}, Identity: "id"},
	{Name: "activation", Columns: []string{"token_hash", "account_id", "expires_at", "used"}, Key: []string{"token_hash"}},
	{Name: "captcha", Columns: []string{"id", "answer_mac", "code_mac", "code_email", "expires_at"}, Key: []string{"id"}},
	{Name: "session", Columns: []string{"token_hash", "account_id", "expires_at", "device_id"}, Key: []string{"token_hash"}},
	{Name: "manager", Columns: []string{"structure_id", "account_id", "role"}, Key: []string{"structure_id", "account_id"}},
	{Name: "attachment", Columns: []string{"id", "structure_id", "account_id", "status", "created_at", "decided_at", "may_approve",
		"may_modify"}, Key: []string{"id"}, Identity: "id"},
	{Name: "mail", Columns: []string{"id", "recipient", "subject", "body", "link", "created_at"}, Key: []string{"id"}, Identity: "id"},
	{Name: "idempotency", Columns: []string{"scope", "key", "fingerprint", "status", "body", "created_at"}, Key: []string{"scope", "key"}},
	{Name: "audit", Columns: []string{"id", "at", "operator", "action", "subject", "before", "after", "reason"}, Key: []string{"id"}, Identity: "id"},
	{Name: "challenge", Columns: []string{"token_hash", "account_id", "enrol", "method", "totp_secret", "code_hash", "attempts", "expires_at"},
		Key: []string{"token_hash"}},
	{Name: "recovery_code", Columns: []string{"account_id", "code_hash", "used_at"}, Key: []string{"account_id", "code_hash"}},
	{Name: "invitation", Columns: []string{"structure_id", "email", "invited_by", "created_at"}, Key: []string{"structure_id", "email"}},
	{Name: "mail_queue", Columns: []string{"id", "message_id", "recipient", "subject", "body", "state", "attempts", "next_attempt_at",
		"last_error", "created_at", "sent_at", "claimed_until", "claimed_by"}, Key: []string{"id"}, Identity: "id"},
	{Name: "handover", Columns: []string{"structure_id", "from_account", "to_account", "created_at", "expires_at"}, Key: []string{"structure_id"}},
	{Name: "rights_notice", Columns: []string{"structure_id", "account_id", "last_sent", "due_at"}, Key: []string{"structure_id", "account_id"}},
	{Name: "portal_key", Columns: []string{"name", "value"}, Key: []string{"name"}},
}

// CopyStore copies everything the portal keeps in the data directory
// dataDir (its records, then the firms' workspace) to the PostgreSQL
// server at dsn, in the schemas Schema and firm.Schema (sqldb.CopyFile
// says how: the files only read, resumable, checked by counts and
// checksums). progress, when set, is told of each batch.
func CopyStore(ctx context.Context, dataDir, dsn string, progress func(table string, done, total int64)) (CopyReport, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return CopyReport{}, err
	}
	named := func(schema string) func(string, int64, int64) {
		if progress == nil {
			return nil
		}
		return func(table string, done, total int64) { progress(schema+"."+table, done, total) }
	}
	rep, err := sqldb.CopyFile(ctx, filepath.Join(dataDir, DatabaseFile), sub, sqldb.Source{DSN: dsn, Schema: Schema}, copyTables, named(Schema))
	prefix(rep.Tables, Schema)
	if err != nil {
		return rep, err
	}
	frep, err := firm.CopyStore(ctx, dataDir, dsn, named(firm.Schema))
	prefix(frep.Tables, firm.Schema)
	rep.Tables = append(rep.Tables, frep.Tables...)
	return rep, err
}

// prefix names each table after its schema.
func prefix(tables []sqldb.TableReport, schema string) {
	for i := range tables {
		tables[i].Name = schema + "." + tables[i].Name
	}
}

// Faithful reports whether every table of rep has as many rows and the
// same checksum on both sides, and names the first that does not.
func Faithful(rep CopyReport) error { return sqldb.Faithful(rep) }
