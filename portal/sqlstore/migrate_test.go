package sqlstore

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	src := `-- a comment; with a semicolon
CREATE TABLE a (id INTEGER);
CREATE INDEX a_id ON a (id);

CREATE TRIGGER a_ins AFTER INSERT ON a BEGIN
	INSERT INTO b (id) VALUES (NEW.id);
	UPDATE c SET n = n + 1;
END;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO b (id) VALUES (NEW.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER a_f AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();
`
	got := splitStatements(src)
	want := []string{
		"-- a comment; with a semicolon\nCREATE TABLE a (id INTEGER)",
		"CREATE INDEX a_id ON a (id)",
		"CREATE TRIGGER a_ins AFTER INSERT ON a BEGIN\n\tINSERT INTO b (id) VALUES (NEW.id);\n\tUPDATE c SET n = n + 1;\nEND",
		"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\tINSERT INTO b (id) VALUES (NEW.id);\n\tRETURN NULL;\nEND\n$$",
		"CREATE TRIGGER a_f AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("split:\n%q\nwant\n%q", got, want)
	}
}
