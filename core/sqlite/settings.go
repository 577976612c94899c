package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Settings returns every stored setting by key.
func (db *Settings) Values(ctx context.Context) (map[string]string, error) {
	rows, err := db.db.Reader().QueryContext(ctx, `SELECT key, value FROM setting`)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SaveSettings replaces the stored settings with v in one transaction.
func (db *Settings) SaveValues(ctx context.Context, v map[string]string) error {
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM setting`); err != nil {
			return err
		}
		for k, val := range v {
			if _, err := tx.ExecContext(ctx, `INSERT INTO setting (key, value) VALUES (?, ?)`, k, val); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
