-- The tables OpenCode's drizzle schema creates (packages/opencode/src/session/session.sql.ts,
-- project.sql.ts), trimmed to the columns an import reads plus a few it does not.
CREATE TABLE project (
  id TEXT PRIMARY KEY, worktree TEXT NOT NULL, vcs TEXT, name TEXT,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, sandboxes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE session (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT, slug TEXT NOT NULL,
  directory TEXT NOT NULL, title TEXT NOT NULL, version TEXT NOT NULL, share_url TEXT,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, time_compacting INTEGER,
  time_archived INTEGER
);
CREATE TABLE message (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
  time_updated INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE part (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX message_session_idx ON message (session_id);
CREATE INDEX part_message_idx ON part (message_id);
CREATE INDEX part_session_idx ON part (session_id);

INSERT INTO project VALUES ('prj_webapp', '/home/dev/webapp', 'git', 'webapp', 1791277200000, 1791277200000, '[]');

INSERT INTO session VALUES
  ('ses_main01', 'prj_webapp', NULL, 'brave-otter', '/home/dev/webapp', 'Fix flaky login test', '1.0.0', NULL, 1791277200000, 1791277260000, NULL, NULL),
  ('ses_child01', 'prj_webapp', 'ses_main01', 'quiet-fox', '/home/dev/webapp', 'Find the rate limiter (@explore subagent)', '1.0.0', NULL, 1791277210000, 1791277220000, NULL, NULL);

INSERT INTO message VALUES
  ('msg_001', 'ses_main01', 1791277200000, 1791277200000,
   '{"role":"user","time":{"created":1791277200000},"agent":"build","model":{"providerID":"anthropic","modelID":"claude-sonnet-4-5"}}'),
  ('msg_002', 'ses_main01', 1791277201000, 1791277230000,
   '{"role":"assistant","time":{"created":1791277201000,"completed":1791277230000},"parentID":"msg_001","modelID":"claude-sonnet-4-5","providerID":"anthropic","mode":"build","agent":"build","path":{"cwd":"/home/dev/webapp","root":"/home/dev/webapp"},"cost":0.0123,"tokens":{"input":1500,"output":120,"reasoning":30,"cache":{"read":800,"write":200}},"finish":"tool-calls"}'),
  ('msg_003', 'ses_main01', 1791277240000, 1791277260000,
   '{"role":"assistant","time":{"created":1791277240000,"completed":1791277260000},"parentID":"msg_001","modelID":"claude-sonnet-4-5","providerID":"anthropic","mode":"build","agent":"build","path":{"cwd":"/home/dev/webapp","root":"/home/dev/webapp"},"cost":0.004,"tokens":{"input":300,"output":60,"reasoning":0,"cache":{"read":2000,"write":0}},"finish":"stop"}'),
  ('msg_004', 'ses_main01', 1791277250000, 1791277250000, 'not json'),
  ('msg_101', 'ses_child01', 1791277210000, 1791277210000,
   '{"role":"user","time":{"created":1791277210000},"agent":"explore","model":{"providerID":"anthropic","modelID":"claude-haiku-4-5"}}'),
  ('msg_102', 'ses_child01', 1791277211000, 1791277220000,
   '{"role":"assistant","time":{"created":1791277211000,"completed":1791277220000},"parentID":"msg_101","modelID":"claude-haiku-4-5","providerID":"anthropic","mode":"explore","agent":"explore","path":{"cwd":"/home/dev/webapp","root":"/home/dev/webapp"},"cost":0.001,"tokens":{"input":400,"output":25,"reasoning":0,"cache":{"read":0,"write":0}}}');

INSERT INTO part VALUES
  ('prt_001', 'msg_001', 'ses_main01', 1791277200000, 1791277200000, '{"type":"text","text":"The login test is flaky on CI. Find out why."}'),
  ('prt_002', 'msg_002', 'ses_main01', 1791277201000, 1791277201000, '{"type":"step-start","snapshot":"4b825dc"}'),
  ('prt_003', 'msg_002', 'ses_main01', 1791277202000, 1791277202000, '{"type":"reasoning","text":"Check the rate limiter first.","time":{"start":1791277202000,"end":1791277203000}}'),
  ('prt_004', 'msg_002', 'ses_main01', 1791277204000, 1791277204000, '{"type":"text","text":"Running the test and asking a subagent."}'),
  ('prt_005', 'msg_002', 'ses_main01', 1791277205000, 1791277215000, '{"type":"tool","callID":"toolu_bash1","tool":"bash","state":{"status":"completed","input":{"command":"npm test -- login"},"output":"expected 200, got 429","title":"npm test","metadata":{"exit":1},"time":{"start":1791277205000,"end":1791277215000}}}'),
  ('prt_006', 'msg_002', 'ses_main01', 1791277216000, 1791277225000, '{"type":"tool","callID":"toolu_task1","tool":"task","state":{"status":"error","input":{"description":"Find the rate limiter","prompt":"Where is it configured?","subagent_type":"explore"},"error":"subagent timed out","time":{"start":1791277216000,"end":1791277225000}}}'),
  ('prt_007', 'msg_002', 'ses_main01', 1791277230000, 1791277230000, '{"type":"step-finish","reason":"tool-calls","cost":0.0123,"tokens":{"input":1500,"output":120,"reasoning":30,"cache":{"read":800,"write":200}}}'),
  ('prt_008', 'msg_003', 'ses_main01', 1791277241000, 1791277260000, '{"type":"text","text":"The limiter is not reset between tests; fixed in tests/setup.ts."}'),
  ('prt_101', 'msg_101', 'ses_child01', 1791277210000, 1791277210000, '{"type":"text","text":"Where is the rate limiter configured?"}'),
  ('prt_102', 'msg_102', 'ses_child01', 1791277212000, 1791277220000, '{"type":"text","text":"In src/limits.ts (loginLimiter)."}');
