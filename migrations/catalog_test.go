package migrations_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// catalogQueries dump the schema of public except the versions table, each
// row as one line, so two dumps compare as text. Each query lists one kind of
// object in a stable order.
func catalogQueries() []struct{ kind, sql string } {
	return []struct{ kind, sql string }{
		{"table", `SELECT c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity, coalesce(c.relacl::text, '')
		FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND c.relname <> 'schema_migrations'
		ORDER BY 1`},
		{"column", `SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		  AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'schema_migrations'
		ORDER BY 1, 2`},
		{"index", `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`},
		{"constraint", `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
		FROM pg_constraint
		WHERE connamespace = 'public'::regnamespace AND conrelid <> coalesce(to_regclass('public.schema_migrations'), 0)
		ORDER BY 1, 2`},
		{"function", `SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
		FROM pg_proc p
		WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
		ORDER BY 1, 2`},
		{"trigger", `SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled::text
		FROM pg_trigger
		WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
		ORDER BY 1, 2`},
		{"policy", `SELECT tablename, policyname, permissive, roles::text, cmd, coalesce(qual, ''), coalesce(with_check, '')
		FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2`},
		{"type", `SELECT t.typname, t.typtype::text, coalesce(string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder), '')
		FROM pg_type t
		LEFT JOIN pg_enum e ON e.enumtypid = t.oid
		WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
		  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
		GROUP BY 1, 2 ORDER BY 1`},
	}
}

// dumpSchema returns one line per catalog object of schema public.
func dumpSchema(t testing.TB, conn *pgx.Conn) []string {
	t.Helper()
	var lines []string
	for _, q := range catalogQueries() {
		rows, err := conn.Query(context.Background(), q.sql)
		if err != nil {
			t.Fatalf("dump %s: %v", q.kind, err)
		}
		for rows.Next() {
			values, err := rows.Values()
			if err != nil {
				t.Fatalf("dump %s: %v", q.kind, err)
			}
			parts := make([]string, len(values))
			for i, v := range values {
				parts[i] = fmt.Sprint(v)
			}
			lines = append(lines, q.kind+" | "+strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("dump %s: %v", q.kind, err)
		}
	}
	return lines
}

// diffLines lists the lines only in got and only in want, for a readable
// failure message.
func diffLines(got, want []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var b strings.Builder
	for _, l := range got {
		if count[l] < 0 {
			fmt.Fprintf(&b, "\n  only in got:  %s", l)
			count[l]++
		}
	}
	for _, l := range want {
		if count[l] > 0 {
			fmt.Fprintf(&b, "\n  only in want: %s", l)
			count[l]--
		}
	}
	if b.Len() == 0 {
		return " (the same lines in another order)"
	}
	return b.String()
}
