//! What the hub remembers of conversations: where each is and who may see it now, so that a
//! frame sent to one and an event delivered from one are checked without a database read.
//!
//! A roster is read from the database the first time it is needed and remembered until
//! something changes it: its members (joined, added, removed, left), a membership or role in
//! its organisation, a hiring team (who may see an application's conversation), a member's
//! name, the candidate's deletion request. Each of those is an [`AccessChange`] that reaches
//! every instance; it forgets the rosters it touches. A roster read while such a change
//! arrived is not remembered (the read may predate it): every change moves an epoch on, and a
//! read is remembered only if the epoch it began in is still the current one. A roster is also
//! read again after [`MAX_AGE`], so that a change that never arrived (a relay that dropped it,
//! an instance of an older version, a write made by hand) is stale for that long at most.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

/// Rosters remembered at most (one is up to 200 members with their names); beyond, one is
/// forgotten for each read (read again when needed).
const MAX_ROSTERS: usize = 20_000;

/// How long a roster is trusted without a change forgetting it.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// A conversation, as who may send to it and receive from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roster {
    pub org_id: i64,
    /// An application's conversation (its events show a candidate's data).
    pub application: bool,
    /// The candidate asked for their data to be deleted: read, never written to again.
    pub closed: bool,
    /// The members who may see it now (still members of its organisation, with a role that
    /// sees it), by user id, with their names.
    pub members: Vec<(i64, String)>,
}

impl Roster {
    /// Whether `user_id` may see the conversation now.
    pub fn has(&self, user_id: i64) -> bool {
        self.members.iter().any(|(id, _)| *id == user_id)
    }

    /// The member's name, if they may see it.
    pub fn name_of(&self, user_id: i64) -> Option<&str> {
        self.members
            .iter()
            .find(|(id, _)| *id == user_id)
            .map(|(_, name)| name.as_str())
    }

    /// The user ids of its members.
    pub fn ids(&self) -> Vec<i64> {
        self.members.iter().map(|(id, _)| *id).collect()
    }
}

/// The remembered rosters, and the epoch their changes move on.
#[derive(Default)]
pub(super) struct Rosters {
    /// Each with when it was read.
    by_conversation: HashMap<i64, (Arc<Roster>, Instant)>,
    epoch: u64,
}

impl Rosters {
    /// The conversation's roster if remembered (and read less than [`MAX_AGE`] before `now`);
    /// else the epoch a read of it begins in.
    pub(super) fn get(&self, conversation: i64, now: Instant) -> Result<Arc<Roster>, u64> {
        match self.by_conversation.get(&conversation) {
            Some((roster, read)) if now.saturating_duration_since(*read) < MAX_AGE => {
                Ok(roster.clone())
            }
            _ => Err(self.epoch),
        }
    }

    /// Remembers a roster read in `epoch` (at `now`), unless a change came since.
    pub(super) fn keep(
        &mut self,
        conversation: i64,
        roster: Arc<Roster>,
        epoch: u64,
        now: Instant,
    ) {
        if epoch != self.epoch {
            return;
        }
        if self.by_conversation.len() >= MAX_ROSTERS
            && !self.by_conversation.contains_key(&conversation)
        {
            if let Some(any) = self.by_conversation.keys().next().copied() {
                self.by_conversation.remove(&any);
            }
        }
        self.by_conversation.insert(conversation, (roster, now));
    }

    /// Forgets the rosters that `touched` picks, and moves the epoch on.
    pub(super) fn forget(&mut self, touched: impl Fn(i64, &Roster) -> bool) {
        self.epoch += 1;
        self.by_conversation
            .retain(|id, (roster, _)| !touched(*id, roster));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(org_id: i64, members: &[i64]) -> Arc<Roster> {
        Arc::new(Roster {
            org_id,
            application: false,
            closed: false,
            members: members.iter().map(|id| (*id, format!("M{id}"))).collect(),
        })
    }

    #[test]
    fn a_roster_read_while_a_change_arrived_is_not_remembered() {
        let mut rosters = Rosters::default();
        let now = Instant::now();
        let Err(epoch) = rosters.get(1, now) else {
            panic!("nothing remembered yet");
        };
        rosters.keep(1, roster(7, &[10, 11]), epoch, now);
        let kept = rosters.get(1, now).expect("remembered");
        assert!(kept.has(10) && !kept.has(12));
        assert_eq!(kept.name_of(11), Some("M11"));

        // A read of conversation 2 begins; conversation 1 changes meanwhile.
        let Err(read_in) = rosters.get(2, now) else {
            panic!("not remembered");
        };
        rosters.forget(|id, _| id == 1);
        rosters.keep(2, roster(7, &[10]), read_in, now);
        assert!(rosters.get(1, now).is_err() && rosters.get(2, now).is_err());

        // Forgetting by organisation leaves the others.
        let Err(epoch) = rosters.get(3, now) else {
            panic!("not remembered");
        };
        rosters.keep(3, roster(7, &[10]), epoch, now);
        rosters.keep(4, roster(8, &[10]), epoch, now);
        rosters.forget(|_, r| r.org_id == 7);
        assert!(rosters.get(3, now).is_err());
        assert_eq!(rosters.get(4, now).map(|r| r.org_id), Ok(8));
        // Read again once old, whatever was heard.
        assert!(rosters.get(4, now + MAX_AGE).is_err());
    }
}
