//! The client policy's reactions (telnetlib3's `TelnetClient`).

use serde_json::json;

use super::policy::{CLIENT_NAME, CLIENT_VERSION};
use super::{ClientPolicy, Core, RoleState, Side};
use crate::protocol::mud::{gmcp, zmp};
use crate::protocol::options::{environ, frame, naws};
use crate::telopt::*;

#[derive(Debug, Clone)]
pub(super) struct ClientState {
    pub(super) policy: ClientPolicy,
    pub(super) ttype_answered: bool,
    pub(super) environ_answered: bool,
    pub(super) charset_done: bool,
    /// `Core.Hello` was sent (once per connection, as telnetlib3 does).
    gmcp_hello_sent: bool,
    /// `zmp.ident` was sent.
    zmp_ident_sent: bool,
}

impl ClientState {
    pub(super) fn new(policy: ClientPolicy) -> Self {
        Self {
            policy,
            ttype_answered: false,
            environ_answered: false,
            charset_done: false,
            gmcp_hello_sent: false,
            zmp_ident_sent: false,
        }
    }

    /// TTYPE plus NEW_ENVIRON or CHARSET answered.
    pub(super) fn settled(&self) -> bool {
        self.ttype_answered && (self.environ_answered || self.charset_done)
    }
}

impl Core {
    fn client(&mut self) -> &mut ClientState {
        match &mut self.role {
            RoleState::Client(state) => state,
            RoleState::Server(_) => unreachable!("client hook on a server negotiator"),
        }
    }

    pub(super) fn client_enabled(&mut self, side: Side, option: u8) {
        match (side, option) {
            (Side::Local, NAWS) => {
                let policy = &self.client().policy;
                let (cols, rows) = (policy.cols, policy.rows);
                log::debug!("send IAC SB NAWS {cols}x{rows}");
                naws::encode(cols, rows, &mut self.out);
            }
            (Side::Remote, GMCP) => self.client_gmcp_hello(),
            (Side::Remote, ZMP) => self.client_zmp_ident(),
            _ => {}
        }
    }

    /// `Core.Hello` with our name and version, then `Core.Supports.Set` with the modules.
    fn client_gmcp_hello(&mut self) {
        let state = self.client();
        if std::mem::replace(&mut state.gmcp_hello_sent, true) {
            return;
        }
        let modules: Vec<String> = state
            .policy
            .gmcp_modules
            .iter()
            .map(|m| m.to_lowercase())
            .collect();
        log::debug!("send GMCP Core.Hello and Core.Supports.Set {modules:?}");
        let mut payload = Vec::new();
        let hello = json!({"client": CLIENT_NAME, "version": CLIENT_VERSION});
        gmcp::encode("Core.Hello", Some(&hello), &mut payload);
        frame(GMCP, &payload, &mut self.out);
        payload.clear();
        gmcp::encode("Core.Supports.Set", Some(&json!(modules)), &mut payload);
        frame(GMCP, &payload, &mut self.out);
    }

    /// `zmp.ident` with our name and version.
    fn client_zmp_ident(&mut self) {
        if std::mem::replace(&mut self.client().zmp_ident_sent, true) {
            return;
        }
        log::debug!("send ZMP zmp.ident {CLIENT_NAME} {CLIENT_VERSION}");
        let mut payload = Vec::new();
        zmp::encode("zmp.ident", &[CLIENT_NAME, CLIENT_VERSION], &mut payload);
        frame(ZMP, &payload, &mut self.out);
    }

    /// Answers NEW_ENVIRON SEND with the variables the policy allows; any other variable asked
    /// for by name is answered as undefined.
    pub(super) fn client_environ(&mut self, requests: &[environ::EnvRequest]) {
        let state = self.client();
        state.environ_answered = true;
        let policy = &state.policy;
        let mut vars: Vec<environ::EnvVar> = Vec::new();
        let push = |vars: &mut Vec<environ::EnvVar>, kind, name: &str, value: Option<String>| {
            if !vars.iter().any(|v| v.name.eq_ignore_ascii_case(name)) {
                vars.push(environ::EnvVar {
                    kind,
                    name: name.to_owned(),
                    value,
                });
            }
        };
        let all_vars = requests.is_empty()
            || requests
                .iter()
                .any(|r| r.name.is_none() && r.kind == environ::VarKind::Var);
        for request in requests {
            if let Some(name) = &request.name {
                push(&mut vars, request.kind, name, policy.environ_value(name));
            }
        }
        if all_vars {
            for name in &policy.send_environ {
                if let Some(value) = policy.environ_value(name) {
                    push(&mut vars, environ::VarKind::Var, name, Some(value));
                }
            }
        }
        log::debug!("send IAC SB NEW_ENVIRON IS ({} variables)", vars.len());
        environ::encode_is(environ::Kind::New, &vars, &mut self.out);
    }
}
