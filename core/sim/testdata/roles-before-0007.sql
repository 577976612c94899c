-- The store of chorus-sim at migration 0006 (before the roles' change), as
-- TestRolesMigration loads it: written by the version that had secondary
-- managers, dumped with sqlite3's .dump so that it is reviewable text.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE account (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	first_name    TEXT NOT NULL,
	last_name     TEXT NOT NULL,
	phone         TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	active        INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
, second_factor TEXT NOT NULL DEFAULT ''
	CHECK (second_factor IN ('', 'totp', 'email')), totp_secret TEXT NOT NULL DEFAULT '', totp_last_step INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO account VALUES(1,'ana@example.fr','Jeanne','Martin','+33612457898','ana@example.fr','pbkdf2-sha256$1000$88359955831f3b5d183795d53b0662e0$4ef2bec80954270ec8e722267e4b639dc68859ca6f40c67fb2d5d49487a4adab',1,1796575854279,'','',0);
INSERT INTO account VALUES(2,'bob@example.fr','Jeanne','Martin','+33612457898','bob@example.fr','pbkdf2-sha256$1000$824e513580750a8a736cbd731f961308$10043c4ed1e0294c047fba70967b1a4909cbac6e7308cc0126166d4f3e28aebc',1,1796575854279,'','',0);
INSERT INTO account VALUES(3,'chloe@example.fr','Jeanne','Martin','+33612457898','chloe@example.fr','pbkdf2-sha256$1000$eeb15ed4a84c7f06455215ac9d765a97$eb0ef8999726c4eb3e6fa2e9e23c1f0992177143c3665b8b0f0ba0505a671fbe',1,1796575854279,'','',0);
INSERT INTO account VALUES(4,'dan@example.fr','Jeanne','Martin','+33612457898','dan@example.fr','pbkdf2-sha256$1000$a3e2883e545432e5c78309a74a3a3e7a$8e73a7bf34d456793a5a8f3282163a9814e0ca4ab9200bdb127f951313dd4d11',1,1796575854279,'','',0);
INSERT INTO account VALUES(5,'eve@example.fr','Jeanne','Martin','+33612457898','eve@example.fr','pbkdf2-sha256$1000$ae4e7b733bcfe353ad9336b7ef268f76$22a2997405a74cc19b44a81b2295c97f902d911d3360f6e37563410a9043010b',1,1796575854279,'','',0);
CREATE TABLE activation (
	token_hash BLOB PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL,
	used       INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO activation VALUES(X'f07263b5ad5605cf4ab491c9207bdb5fccd56f6ae5e5963888ee66befe5c8956',1,1796579454279,1);
INSERT INTO activation VALUES(X'18bd0c4b821ff69983bbf57cbd69c6d713761f660844471eab1ebc1e8b434316',2,1796579454279,1);
INSERT INTO activation VALUES(X'b35213d7d9af95bb839798fd629e4d7267343256f337eccc291072bf000c1c70',3,1796579454279,1);
INSERT INTO activation VALUES(X'169bb6a6b5adf5f3a3ee4d8e29e00af4c3c1db654233ace2dfd833f83854abaa',4,1796579454279,1);
INSERT INTO activation VALUES(X'46c5043073cb459cfbf1db0a9132a743338f48e397e5e9c17538e090eae5f89f',5,1796579454279,1);
CREATE TABLE captcha (
	id         TEXT PRIMARY KEY,
	answer_mac BLOB NOT NULL,
	code_mac   BLOB,
	code_email TEXT NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL
) STRICT;
CREATE TABLE session (
	token_hash BLOB PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
, device_id INTEGER REFERENCES device (id) ON DELETE CASCADE) STRICT;
INSERT INTO session VALUES(X'7c8bc164d0bda1b86f682dffcc26a22e1ca2937f3581ba3e62bec9492cbcc925',1,1796604654279,NULL);
INSERT INTO session VALUES(X'd857b3d1078061c31a32ee8ce3e9cc994e32b11ef58871d9f7f82a7a81ef0f7d',2,1796604654279,NULL);
INSERT INTO session VALUES(X'fdabc783481e9ff6b1e57252a3776a89f821f2ed656305308711fd1f9ae5c9e1',3,1796604654279,NULL);
INSERT INTO session VALUES(X'4a8e257ad3ced22a3f529f62f9891c0ac2cf99b4f359b40ecc0acc2b719e5b6e',4,1796604654279,NULL);
INSERT INTO session VALUES(X'20804f6fc5f5b999389acf47e7a3734f43dc75cefea93c928b67d4e2cf93b652',5,1796604654279,NULL);
CREATE TABLE structure (
	id                   INTEGER PRIMARY KEY,
	identifier_type      TEXT NOT NULL,
	identifier           TEXT NOT NULL,
	kind                 TEXT NOT NULL,
	company_name         TEXT NOT NULL,
	structure_name       TEXT NOT NULL DEFAULT '',
	email                TEXT NOT NULL DEFAULT '',
	phone                TEXT NOT NULL DEFAULT '',
	address              TEXT NOT NULL DEFAULT '',
	address_complement_1 TEXT NOT NULL DEFAULT '',
	address_complement_2 TEXT NOT NULL DEFAULT '',
	city                 TEXT NOT NULL DEFAULT '',
	postal_code          TEXT NOT NULL DEFAULT '',
	country              TEXT NOT NULL DEFAULT 'FR',
	non_diffusible       INTEGER NOT NULL DEFAULT 0,
	status               TEXT NOT NULL DEFAULT 'ACTIVE',
	created_at           INTEGER NOT NULL,
	UNIQUE (identifier_type, identifier)
) STRICT;
INSERT INTO structure VALUES(1,'SIRET','73282932000074','PRIVEE','Société 73282932000074','','','','1 rue de la Paix','','','Paris','75002','FR',0,'ACTIVE',1796575854279);
INSERT INTO structure VALUES(2,'SIRET','44306184100047','PRIVEE','Société 44306184100047','','','','1 rue de la Paix','','','Paris','75002','FR',0,'ACTIVE',1796575854279);
CREATE TABLE manager (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	role         TEXT NOT NULL DEFAULT 'GESTIONNAIRE_PRINCIPAL',
	PRIMARY KEY (structure_id, account_id)
) STRICT;
INSERT INTO manager VALUES(1,1,'GESTIONNAIRE_PRINCIPAL');
INSERT INTO manager VALUES(2,1,'GESTIONNAIRE_PRINCIPAL');
INSERT INTO manager VALUES(1,2,'GESTIONNAIRE_SECONDAIRE');
INSERT INTO manager VALUES(2,4,'GESTIONNAIRE_SECONDAIRE');
CREATE TABLE attachment (
	id           INTEGER PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	status       TEXT NOT NULL DEFAULT 'EN_COURS_DE_VALIDATION'
		CHECK (status IN ('EN_COURS_DE_VALIDATION','VALIDEE','REFUSEE')),
	created_at   INTEGER NOT NULL,
	decided_at   INTEGER NOT NULL DEFAULT 0,
	UNIQUE (structure_id, account_id)
) STRICT;
INSERT INTO attachment VALUES(1,1,2,'VALIDEE',1796575854279,1796575854279);
INSERT INTO attachment VALUES(2,1,3,'VALIDEE',1796575854279,1796575854279);
INSERT INTO attachment VALUES(3,1,4,'VALIDEE',1796575854279,1796575854279);
INSERT INTO attachment VALUES(4,2,4,'VALIDEE',1796575854279,1796575854279);
INSERT INTO attachment VALUES(5,1,5,'EN_COURS_DE_VALIDATION',1796575854279,0);
CREATE TABLE mail (
	id         INTEGER PRIMARY KEY,
	recipient  TEXT NOT NULL COLLATE NOCASE,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	link       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;
INSERT INTO mail VALUES(1,'ana@example.fr','Portail Chorus Onboard : activez votre compte / activate your account',replace('Bienvenue sur Portail Chorus Onboard. Pour finaliser la création de votre compte, ouvrez ce lien (valable 60 minutes) et choisissez votre mot de passe :\nhttp://127.0.0.1:32935/activate?token=7b0f40156340dfbcc11e4a7a4f4c7842\n\nWelcome to Portail Chorus Onboard. To finish creating your account, open this link (valid for 60 minutes) and choose your password:\nhttp://127.0.0.1:32935/activate?token=7b0f40156340dfbcc11e4a7a4f4c7842\n','\n',char(10)),'http://127.0.0.1:32935/activate?token=7b0f40156340dfbcc11e4a7a4f4c7842',1796575854279);
INSERT INTO mail VALUES(2,'bob@example.fr','Portail Chorus Onboard : activez votre compte / activate your account',replace('Bienvenue sur Portail Chorus Onboard. Pour finaliser la création de votre compte, ouvrez ce lien (valable 60 minutes) et choisissez votre mot de passe :\nhttp://127.0.0.1:32935/activate?token=3b4d8b0a3a03ebdf0068bf53d3ed0c1e\n\nWelcome to Portail Chorus Onboard. To finish creating your account, open this link (valid for 60 minutes) and choose your password:\nhttp://127.0.0.1:32935/activate?token=3b4d8b0a3a03ebdf0068bf53d3ed0c1e\n','\n',char(10)),'http://127.0.0.1:32935/activate?token=3b4d8b0a3a03ebdf0068bf53d3ed0c1e',1796575854279);
INSERT INTO mail VALUES(3,'ana@example.fr','Portail Chorus Onboard : nouvelle demande de rattachement / new attachment request',replace('Une demande de rattachement à la structure 73282932000074 Société 73282932000074 attend votre validation.\n\nAn attachment request to structure 73282932000074 Société 73282932000074 is waiting for your approval.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(4,'chloe@example.fr','Portail Chorus Onboard : activez votre compte / activate your account',replace('Bienvenue sur Portail Chorus Onboard. Pour finaliser la création de votre compte, ouvrez ce lien (valable 60 minutes) et choisissez votre mot de passe :\nhttp://127.0.0.1:32935/activate?token=87f63898d5bd858f0a75ff1d4a7a8bf0\n\nWelcome to Portail Chorus Onboard. To finish creating your account, open this link (valid for 60 minutes) and choose your password:\nhttp://127.0.0.1:32935/activate?token=87f63898d5bd858f0a75ff1d4a7a8bf0\n','\n',char(10)),'http://127.0.0.1:32935/activate?token=87f63898d5bd858f0a75ff1d4a7a8bf0',1796575854279);
INSERT INTO mail VALUES(5,'ana@example.fr','Portail Chorus Onboard : nouvelle demande de rattachement / new attachment request',replace('Une demande de rattachement à la structure 73282932000074 Société 73282932000074 attend votre validation.\n\nAn attachment request to structure 73282932000074 Société 73282932000074 is waiting for your approval.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(6,'dan@example.fr','Portail Chorus Onboard : activez votre compte / activate your account',replace('Bienvenue sur Portail Chorus Onboard. Pour finaliser la création de votre compte, ouvrez ce lien (valable 60 minutes) et choisissez votre mot de passe :\nhttp://127.0.0.1:32935/activate?token=0033a4f5aa62045c64739a227752b980\n\nWelcome to Portail Chorus Onboard. To finish creating your account, open this link (valid for 60 minutes) and choose your password:\nhttp://127.0.0.1:32935/activate?token=0033a4f5aa62045c64739a227752b980\n','\n',char(10)),'http://127.0.0.1:32935/activate?token=0033a4f5aa62045c64739a227752b980',1796575854279);
INSERT INTO mail VALUES(7,'ana@example.fr','Portail Chorus Onboard : nouvelle demande de rattachement / new attachment request',replace('Une demande de rattachement à la structure 73282932000074 Société 73282932000074 attend votre validation.\n\nAn attachment request to structure 73282932000074 Société 73282932000074 is waiting for your approval.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(8,'ana@example.fr','Portail Chorus Onboard : nouvelle demande de rattachement / new attachment request',replace('Une demande de rattachement à la structure 44306184100047 Société 44306184100047 attend votre validation.\n\nAn attachment request to structure 44306184100047 Société 44306184100047 is waiting for your approval.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(9,'eve@example.fr','Portail Chorus Onboard : activez votre compte / activate your account',replace('Bienvenue sur Portail Chorus Onboard. Pour finaliser la création de votre compte, ouvrez ce lien (valable 60 minutes) et choisissez votre mot de passe :\nhttp://127.0.0.1:32935/activate?token=bc35f66ba9e72a7999b59efc3d7881b0\n\nWelcome to Portail Chorus Onboard. To finish creating your account, open this link (valid for 60 minutes) and choose your password:\nhttp://127.0.0.1:32935/activate?token=bc35f66ba9e72a7999b59efc3d7881b0\n','\n',char(10)),'http://127.0.0.1:32935/activate?token=bc35f66ba9e72a7999b59efc3d7881b0',1796575854279);
INSERT INTO mail VALUES(10,'ana@example.fr','Portail Chorus Onboard : nouvelle demande de rattachement / new attachment request',replace('Une demande de rattachement à la structure 73282932000074 Société 73282932000074 attend votre validation.\n\nAn attachment request to structure 73282932000074 Société 73282932000074 is waiting for your approval.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(11,'bob@example.fr','Portail Chorus Onboard : demande de rattachement validée / attachment request approved',replace('Votre demande de rattachement à la structure 73282932000074 Société 73282932000074 a été validée par son gestionnaire principal.\n\nYour request to be connected to structure 73282932000074 Société 73282932000074 was approved by its principal manager.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(12,'chloe@example.fr','Portail Chorus Onboard : demande de rattachement validée / attachment request approved',replace('Votre demande de rattachement à la structure 73282932000074 Société 73282932000074 a été validée par son gestionnaire principal.\n\nYour request to be connected to structure 73282932000074 Société 73282932000074 was approved by its principal manager.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(13,'dan@example.fr','Portail Chorus Onboard : demande de rattachement validée / attachment request approved',replace('Votre demande de rattachement à la structure 73282932000074 Société 73282932000074 a été validée par son gestionnaire principal.\n\nYour request to be connected to structure 73282932000074 Société 73282932000074 was approved by its principal manager.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(14,'dan@example.fr','Portail Chorus Onboard : demande de rattachement validée / attachment request approved',replace('Votre demande de rattachement à la structure 44306184100047 Société 44306184100047 a été validée par son gestionnaire principal.\n\nYour request to be connected to structure 44306184100047 Société 44306184100047 was approved by its principal manager.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(15,'bob@example.fr','Portail Chorus Onboard : vous êtes gestionnaire secondaire / you are a secondary manager',replace('Vous êtes désormais gestionnaire secondaire de la structure 73282932000074 Société 73282932000074.\n\nYou are now a secondary manager of structure 73282932000074 Société 73282932000074.\n','\n',char(10)),'',1796575854279);
INSERT INTO mail VALUES(16,'dan@example.fr','Portail Chorus Onboard : vous êtes gestionnaire secondaire / you are a secondary manager',replace('Vous êtes désormais gestionnaire secondaire de la structure 44306184100047 Société 44306184100047.\n\nYou are now a secondary manager of structure 44306184100047 Société 44306184100047.\n','\n',char(10)),'',1796575854279);
CREATE TABLE idempotency (
	scope       TEXT NOT NULL,
	key         TEXT NOT NULL,
	fingerprint BLOB NOT NULL,
	status      INTEGER NOT NULL,
	body        BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;
INSERT INTO idempotency VALUES('a1','s-1',X'f19c408a28ef210d2fc78f15422aa32e88f5e859ff88782f513e8330943c9cde',201,X'7b226964223a312c22737472756374757265223a7b226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223733323832393332303030303734222c227374727563747572655f6b696e64223a22505249564545222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203733323832393332303030303734222c2261646472657373223a223120727565206465206c612050616978222c2263697479223a225061726973222c22706f7374616c5f636f6465223a223735303032222c22636f756e747279223a224652222c226e6f6e5f64696666757369626c65223a66616c73657d2c22737461747573223a22414354495645222c2269735f6d616e61676572223a747275652c226e6f6e5f64696666757369626c65223a66616c73657d',1796575854279);
INSERT INTO idempotency VALUES('a1','s-2',X'6c2e4313504614cce42a9bd9181f9185698ed52b7a768ab42d6b74facd18ad50',201,X'7b226964223a322c22737472756374757265223a7b226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223434333036313834313030303437222c227374727563747572655f6b696e64223a22505249564545222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203434333036313834313030303437222c2261646472657373223a223120727565206465206c612050616978222c2263697479223a225061726973222c22706f7374616c5f636f6465223a223735303032222c22636f756e747279223a224652222c226e6f6e5f64696666757369626c65223a66616c73657d2c22737461747573223a22414354495645222c2269735f6d616e61676572223a747275652c226e6f6e5f64696666757369626c65223a66616c73657d',1796575854279);
INSERT INTO idempotency VALUES('a2','r1-bob@example.fr',X'00761b675eef6d62075e5383156e0c6f4b38d1a7021034d99eedf2feb974bbca',201,X'7b226964223a312c227374727563747572655f6964223a312c226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223733323832393332303030303734222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203733323832393332303030303734222c22726571756573746572223a22626f62406578616d706c652e6672222c227265717565737465725f6e616d65223a224a65616e6e65204d617274696e222c22737461747573223a22454e5f434f5552535f44455f56414c49444154494f4e222c2263726561746564223a313739363537353835347d',1796575854279);
INSERT INTO idempotency VALUES('a3','r1-chloe@example.fr',X'00761b675eef6d62075e5383156e0c6f4b38d1a7021034d99eedf2feb974bbca',201,X'7b226964223a322c227374727563747572655f6964223a312c226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223733323832393332303030303734222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203733323832393332303030303734222c22726571756573746572223a2263686c6f65406578616d706c652e6672222c227265717565737465725f6e616d65223a224a65616e6e65204d617274696e222c22737461747573223a22454e5f434f5552535f44455f56414c49444154494f4e222c2263726561746564223a313739363537353835347d',1796575854279);
INSERT INTO idempotency VALUES('a4','r1-dan@example.fr',X'00761b675eef6d62075e5383156e0c6f4b38d1a7021034d99eedf2feb974bbca',201,X'7b226964223a332c227374727563747572655f6964223a312c226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223733323832393332303030303734222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203733323832393332303030303734222c22726571756573746572223a2264616e406578616d706c652e6672222c227265717565737465725f6e616d65223a224a65616e6e65204d617274696e222c22737461747573223a22454e5f434f5552535f44455f56414c49444154494f4e222c2263726561746564223a313739363537353835347d',1796575854279);
INSERT INTO idempotency VALUES('a4','r2-dan@example.fr',X'3b20b9e3a0bb77ca82c4638aed6f4c70bdf7c05ae64498c380364b33bdf28d22',201,X'7b226964223a342c227374727563747572655f6964223a322c226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223434333036313834313030303437222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203434333036313834313030303437222c22726571756573746572223a2264616e406578616d706c652e6672222c227265717565737465725f6e616d65223a224a65616e6e65204d617274696e222c22737461747573223a22454e5f434f5552535f44455f56414c49444154494f4e222c2263726561746564223a313739363537353835347d',1796575854279);
INSERT INTO idempotency VALUES('a5','r1-eve@example.fr',X'00761b675eef6d62075e5383156e0c6f4b38d1a7021034d99eedf2feb974bbca',201,X'7b226964223a352c227374727563747572655f6964223a312c226964656e7469666965725f74797065223a225349524554222c226964656e746966696572223a223733323832393332303030303734222c22636f6d70616e795f6e616d65223a22536f6369c3a974c3a9203733323832393332303030303734222c22726571756573746572223a22657665406578616d706c652e6672222c227265717565737465725f6e616d65223a224a65616e6e65204d617274696e222c22737461747573223a22454e5f434f5552535f44455f56414c49444154494f4e222c2263726561746564223a313739363537353835347d',1796575854279);
CREATE TABLE audit (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	operator   TEXT NOT NULL,
	action     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	before     TEXT NOT NULL,
	after      TEXT NOT NULL,
	reason     TEXT NOT NULL
) STRICT;
CREATE TABLE challenge (
	token_hash  BLOB PRIMARY KEY,
	account_id  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	enrol       INTEGER NOT NULL DEFAULT 0,
	method      TEXT NOT NULL DEFAULT '',
	totp_secret TEXT NOT NULL DEFAULT '',
	code_hash   BLOB,
	attempts    INTEGER NOT NULL DEFAULT 0,
	expires_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE recovery_code (
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, code_hash)
) STRICT;
CREATE TABLE device (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT;
CREATE TABLE invitation (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	email        TEXT NOT NULL COLLATE NOCASE,
	invited_by   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (structure_id, email)
) STRICT;
CREATE TABLE mail_queue (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX mail_recipient ON mail (recipient, id);
CREATE INDEX challenge_account ON challenge (account_id);
CREATE INDEX device_account ON device (account_id);
CREATE UNIQUE INDEX manager_principal ON manager (structure_id) WHERE role = 'GESTIONNAIRE_PRINCIPAL';
CREATE INDEX manager_account ON manager (account_id);
CREATE INDEX mail_queue_due ON mail_queue (state, next_attempt_at, id);
CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX session_account ON session (account_id);
PRAGMA user_version = 6;
COMMIT;
