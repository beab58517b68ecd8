//! Who may see and change what: roles, callers, and the one policy that decides.
//!
//! | role | may read | may change |
//! |---|---|---|
//! | anonymous | the public view: park profiles, zones, available plots | nothing |
//! | applicant | the public view (its own applications and enterprise data come later) | nothing in the register |
//! | committee | its own parks' register (parcels, history, land supply, idle land, workshops and leases) | its own parks' profiles and zones; their workshops, units and leases |
//! | bureau | the register of every park in its jurisdiction: parcels, land supply, idle land; their audit trail | parcels (create, edit, split, merge, retire, import), land supply, development facts and idle-land cases, parks and zones there |
//! | admin | everything | everything, and users and tokens |
//!
//! A bureau's jurisdiction is an administrative-division code prefix (`361021` a county,
//! `3610` a prefecture-level city, `36` a province); a park belongs to it when the park's own
//! division code starts with it. The policy is a pure function of the caller, the action and the
//! park it concerns; handlers ask it before calling the store.

use super::{FieldError, Refusal};
use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Bureau,
    Committee,
    Applicant,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Bureau, Role::Committee, Role::Applicant];

    /// What the people in this role are called in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Bureau => "自然资源局用户",
            Role::Committee => "管委会用户",
            Role::Applicant => "项目单位",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bureau => "bureau",
            Role::Committee => "committee",
            Role::Applicant => "applicant",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Role, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{raw}` is not a role; expected admin, bureau, committee or applicant"
                    ),
                )
                .zh(format!(
                    "`{raw}` 不是角色：应为 admin、bureau、committee 或 applicant"
                ))
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated user, as a request sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// Bureau: the division code prefix of its area.
    pub jurisdiction: Option<String>,
    /// Committee: the parks it manages.
    pub parks: Vec<i64>,
}

/// Whoever is calling.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    Anonymous,
    User(Principal),
}

/// The park an action concerns, as much as the policy needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParkScope {
    pub id: i64,
    pub admin_code: Option<String>,
}

/// What a caller wants to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<'a> {
    /// Parcels, their history and lineage, exports (the register proper).
    ReadRegister(&'a ParkScope),
    /// Create, change, retire, split, merge and import parcels.
    WriteParcels(&'a ParkScope),
    /// Change a park's profile, settings or boundary; create and change its zones.
    WritePark(&'a ParkScope),
    /// The park's operations, the committee's work: workshops, their construction plans,
    /// units and leases; investment projects; deciding applications.
    WriteOperations(&'a ParkScope),
    /// Create parks at all (checked before reading the request).
    CreateParks,
    /// Create a park with this division code.
    CreatePark(Option<&'a str>),
    /// Read the audit trail (scoped to what the caller may read).
    ReadAudit,
    /// Manage users and tokens.
    ManageUsers,
    /// Walk the whole audit chain and report its first broken link (administrators).
    VerifyAudit,
    /// Anything an authenticated caller may do about themselves.
    ReadSelf,
    /// Read the shared directories: enterprises (land users, tenants, project owners) and
    /// investment units (招商单位).
    ReadDirectory,
    /// Add entries to the shared directories, and correct investment units.
    WriteDirectory,
    /// Correct an enterprise of the shared directory that holds land or leases in these parks:
    /// the bureau and administrators correct any enterprise; a committee only those that hold
    /// land or leases in a park it manages (another park's land user is that park's business).
    EditEnterprise { holds_in: &'a [i64] },
    /// Submit applications for plots and units, and read one's own (an applicant's).
    Apply,
}

/// Why not: 401 (who are you?) or 403 (not you, said in English and in Chinese).
#[derive(Debug, Clone, PartialEq)]
pub enum Denied {
    Unauthenticated,
    Forbidden { en: String, zh: String },
}

impl Denied {
    /// `role name may not …` / `角色 name 无权…`.
    fn outside(p: &Principal, en: &str, zh: &str) -> Denied {
        Denied::Forbidden {
            en: format!("{} {} may not {en}", p.role, p.name),
            zh: format!("{} {} 无权{zh}", p.role.name_zh(), p.name),
        }
    }

    /// An applicant asking for the register.
    pub fn applicant_reads_register(p: &Principal) -> Denied {
        Denied::Forbidden {
            en: format!(
                "applicant {} may not read the register; the available plots are public",
                p.name
            ),
            zh: format!(
                "项目单位 {} 无权查看登记簿；可供应地块公开可查，无需登录",
                p.name
            ),
        }
    }
}

impl Principal {
    /// Whether the park lies in a bureau's jurisdiction.
    pub fn governs(&self, park_code: Option<&str>) -> bool {
        match (&self.jurisdiction, park_code) {
            (Some(prefix), Some(code)) => !prefix.is_empty() && code.starts_with(prefix.as_str()),
            _ => false,
        }
    }

    fn manages(&self, park: &ParkScope) -> bool {
        self.parks.contains(&park.id)
    }
}

impl Caller {
    /// The one policy: may this caller do this?
    pub fn may(&self, action: &Action<'_>) -> Result<(), Denied> {
        let Caller::User(p) = self else {
            return Err(Denied::Unauthenticated);
        };
        let outside = |en: &str, zh: &str| Denied::outside(p, en, zh);
        let allowed = match (p.role, action) {
            (Role::Admin, _) | (_, Action::ReadSelf) => true,
            (Role::Applicant, Action::Apply) => true,
            (
                Role::Bureau,
                Action::ReadRegister(park) | Action::WriteParcels(park) | Action::WritePark(park),
            ) => p.governs(park.admin_code.as_deref()),
            (Role::Bureau, Action::CreatePark(code)) => p.governs(*code),
            (Role::Bureau, Action::CreateParks) => true,
            (Role::Bureau, Action::ReadAudit) => true,
            (Role::Bureau | Role::Committee, Action::ReadDirectory | Action::WriteDirectory) => {
                true
            }
            (Role::Bureau, Action::EditEnterprise { .. }) => true,
            (Role::Committee, Action::EditEnterprise { holds_in }) => {
                holds_in.iter().any(|park| p.parks.contains(park))
            }
            (
                Role::Committee,
                Action::ReadRegister(park)
                | Action::WritePark(park)
                | Action::WriteOperations(park),
            ) => p.manages(park),
            _ => false,
        };
        if allowed {
            return Ok(());
        }
        Err(match action {
            // The park is not named: a record's park is itself part of the register.
            Action::ReadRegister(_) => {
                outside("read the register of this park", "查看此园区的登记簿")
            }
            Action::WriteParcels(_) => {
                outside("change the parcels of this park", "修改此园区的宗地")
            }
            Action::WritePark(_) => outside("change this park", "修改此园区"),
            Action::WriteOperations(_) => outside(
                "change the workshops, leases and projects of this park",
                "修改此园区的厂房、租赁和项目",
            ),
            Action::CreateParks => outside("create parks", "新建园区"),
            Action::CreatePark(Some(code)) => outside(
                &format!("create a park in division {code}"),
                &format!("在行政区划 {code} 新建园区"),
            ),
            Action::CreatePark(None) => outside(
                "create a park without a division code",
                "新建没有行政区划代码的园区",
            ),
            Action::ReadAudit => outside("read the audit trail", "查看审计记录"),
            Action::ManageUsers => outside("manage users and tokens", "管理用户和令牌"),
            Action::VerifyAudit => outside(
                "verify the audit chain (administrators do)",
                "校验审计链（由管理员校验）",
            ),
            Action::ReadSelf => outside("do this", "进行此操作"),
            Action::ReadDirectory => outside(
                "read the directories of enterprises and investment units",
                "查看企业和投资主体名录",
            ),
            Action::WriteDirectory => outside(
                "change the directories of enterprises and investment units",
                "修改企业和投资主体名录",
            ),
            Action::EditEnterprise { .. } => outside(
                "correct an enterprise that holds no land or lease in its parks (the bureau corrects the directory)",
                "更正在其园区内没有用地或租赁的企业（名录由自然资源局更正）",
            ),
            Action::Apply => outside(
                "apply for plots or units (an applicant account does)",
                "申请地块或厂房单元（由项目单位账号申请）",
            ),
        })
    }

    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::User(p) => Some(p),
            Caller::Anonymous => None,
        }
    }

    /// The name recorded on changes.
    pub fn name(&self) -> &str {
        self.principal().map_or("anonymous", |p| p.name.as_str())
    }
}

/// Which parks' register a caller may list.
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    All,
    Parks(Vec<i64>),
}

impl Visibility {
    /// Nothing: what an anonymous caller or an applicant may read of the register.
    pub fn none() -> Self {
        Visibility::Parks(Vec::new())
    }

    /// Whether the register of `park_id` is readable.
    pub fn includes(&self, park_id: i64) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Parks(ids) => ids.contains(&park_id),
        }
    }

    /// Of `parks` (id, division code), those the caller may read the register of.
    pub fn of(caller: &Caller, parks: &[(i64, Option<String>)]) -> Result<Visibility, Denied> {
        let Caller::User(p) = caller else {
            return Err(Denied::Unauthenticated);
        };
        match p.role {
            Role::Admin => Ok(Visibility::All),
            Role::Bureau => Ok(Visibility::Parks(
                parks
                    .iter()
                    .filter(|(_, code)| p.governs(code.as_deref()))
                    .map(|(id, _)| *id)
                    .collect(),
            )),
            Role::Committee => Ok(Visibility::Parks(p.parks.clone())),
            Role::Applicant => Err(Denied::applicant_reads_register(p)),
        }
    }
}

/// A jurisdiction: 2, 4 or 6 digits of a division code (province, city, county).
pub fn parse_jurisdiction(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim();
    if matches!(v.len(), 2 | 4 | 6) && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!(
                "`{v}` is not a jurisdiction: 2, 4 or 6 digits of a division code (36, 3610, 361021)"
            ),
        ).zh(format!("`{v}` 不是辖区：应为 2、4 或 6 位行政区划代码（36、3610、361021）")))
    }
}

/// The fewest characters a password has.
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// A new password's length: at least [`MIN_PASSWORD_LENGTH`] characters and no other
/// composition rule (NIST SP 800-63B: length, not character classes), at most 1,024 bytes
/// (argon2 hashes whatever it is given; the bound keeps a request from buying seconds of CPU).
pub fn check_password(password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(FieldError::new(
            "password",
            format!("a password has at least {MIN_PASSWORD_LENGTH} characters"),
        )
        .zh(format!("密码至少 {MIN_PASSWORD_LENGTH} 个字符")));
    }
    if password.len() > 1024 {
        return Err(
            FieldError::new("password", "a password has at most 1,024 bytes")
                .zh("密码至多 1,024 字节"),
        );
    }
    Ok(())
}

/// A user name is one account's (`taken`: another account has it).
pub fn check_user_name_free(name: &str, taken: bool) -> Result<(), Refusal> {
    if taken {
        return Err(Refusal::conflict_in(
            format!("a user named {name} already exists"),
            format!("用户 {name} 已存在"),
        ));
    }
    Ok(())
}

/// A user's parks exist (`found`: those of `ids` the register has).
pub fn check_parks_known(ids: &[i64], found: &[i64]) -> Result<(), Refusal> {
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(
            FieldError::new("parks", format!("no park with id {}", missing.join(", ")))
                .zh(format!("没有编号为 {} 的园区", missing.join("、")))
                .into(),
        )
    }
}

/// A token's expiry, when it has one, is after `now`.
pub fn check_token_expiry(
    expires_at: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> Result<(), Refusal> {
    if expires_at.is_some_and(|e| e <= now) {
        return Err(
            FieldError::new("expires_at", "the expiry must be in the future")
                .zh("到期时间须晚于当前时间")
                .into(),
        );
    }
    Ok(())
}

impl User {
    /// The account after `changes` at `at`: the role's scope checked on the result;
    /// disabling keeps the first disabling time, enabling clears it.
    pub fn apply(&self, changes: UserChanges, at: chrono::NaiveDateTime) -> Result<User, Refusal> {
        let mut next = self.clone();
        if let Some(v) = changes.display_name {
            next.display_name = v;
        }
        if let Some(v) = changes.jurisdiction {
            next.jurisdiction = v;
        }
        if let Some(v) = changes.parks {
            next.parks = v;
        }
        check_role_scope(next.role, next.jurisdiction.as_deref(), &next.parks)?;
        next.disabled_at = match changes.disabled {
            Some(true) => self.disabled_at.or(Some(at)),
            Some(false) => None,
            None => self.disabled_at,
        };
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, jurisdiction: Option<&str>, parks: &[i64]) -> Caller {
        Caller::User(Principal {
            user_id: 1,
            name: format!("{role}1"),
            role,
            jurisdiction: jurisdiction.map(str::to_owned),
            parks: parks.to_vec(),
        })
    }

    fn park(id: i64, code: &str) -> ParkScope {
        ParkScope {
            id,
            admin_code: Some(code.to_owned()),
        }
    }

    #[test]
    fn anonymous_callers_must_authenticate() {
        let a = Caller::Anonymous;
        let p = park(1, "361021");
        for action in [
            Action::ReadRegister(&p),
            Action::WriteParcels(&p),
            Action::ReadAudit,
            Action::ManageUsers,
            Action::ReadSelf,
        ] {
            assert_eq!(a.may(&action), Err(Denied::Unauthenticated), "{action:?}");
        }
    }

    #[test]
    fn a_committee_corrects_only_the_enterprises_on_its_own_land() {
        let committee = user(Role::Committee, None, &[1]);
        let bureau = user(Role::Bureau, Some("361021"), &[]);
        let ours = [1, 2];
        let theirs = [2];
        assert!(
            committee
                .may(&Action::EditEnterprise { holds_in: &ours })
                .is_ok()
        );
        assert!(
            committee
                .may(&Action::EditEnterprise { holds_in: &theirs })
                .is_err()
        );
        assert!(
            committee
                .may(&Action::EditEnterprise { holds_in: &[] })
                .is_err()
        );
        assert!(
            bureau
                .may(&Action::EditEnterprise { holds_in: &[] })
                .is_ok()
        );
        assert!(
            user(Role::Applicant, None, &[])
                .may(&Action::EditEnterprise { holds_in: &ours })
                .is_err()
        );
    }

    #[test]
    fn the_role_table() {
        let nancheng = park(1, "361021");
        let linchuan = park(2, "361002");
        let admin = user(Role::Admin, None, &[]);
        let county = user(Role::Bureau, Some("361021"), &[]);
        let city = user(Role::Bureau, Some("3610"), &[]);
        let committee = user(Role::Committee, None, &[1]);
        let applicant = user(Role::Applicant, None, &[]);
        let ok = |c: &Caller, a: Action<'_>| c.may(&a).is_ok();

        assert!(ok(&admin, Action::WriteParcels(&linchuan)) && ok(&admin, Action::ManageUsers));

        assert!(ok(&county, Action::WriteParcels(&nancheng)));
        assert!(
            !ok(&county, Action::WriteParcels(&linchuan)),
            "another county"
        );
        assert!(
            ok(&city, Action::ReadRegister(&linchuan)),
            "the city governs both counties"
        );
        assert!(
            ok(&county, Action::CreatePark(Some("361021")))
                && !ok(&county, Action::CreatePark(Some("361002")))
        );
        assert!(ok(&county, Action::ReadAudit) && !ok(&county, Action::ManageUsers));

        assert!(
            ok(&committee, Action::ReadRegister(&nancheng))
                && ok(&committee, Action::WritePark(&nancheng))
        );
        assert!(
            !ok(&committee, Action::WriteParcels(&nancheng)),
            "the bureau owns the parcel register"
        );
        assert!(
            !ok(&committee, Action::ReadRegister(&linchuan)),
            "not its park"
        );
        assert!(!ok(&committee, Action::ReadAudit));

        assert!(!ok(&applicant, Action::ReadRegister(&nancheng)));
        assert!(ok(&applicant, Action::ReadSelf));
        assert!(matches!(
            applicant.may(&Action::ReadRegister(&nancheng)),
            Err(Denied::Forbidden { .. })
        ));
    }

    #[test]
    fn parks_without_a_division_code_are_for_admins_only() {
        let county = user(Role::Bureau, Some("361021"), &[]);
        let orphan = ParkScope {
            id: 9,
            admin_code: None,
        };
        assert!(county.may(&Action::ReadRegister(&orphan)).is_err());
        let empty = user(Role::Bureau, Some(""), &[]);
        assert!(
            empty
                .may(&Action::ReadRegister(&park(1, "361021")))
                .is_err(),
            "an empty jurisdiction governs nothing"
        );
    }

    #[test]
    fn visibility_of_the_register() {
        let parks = vec![
            (1, Some("361021".to_owned())),
            (2, Some("361002".to_owned())),
            (3, None),
        ];
        assert_eq!(
            Visibility::of(&user(Role::Admin, None, &[]), &parks),
            Ok(Visibility::All)
        );
        assert_eq!(
            Visibility::of(&user(Role::Bureau, Some("3610"), &[]), &parks),
            Ok(Visibility::Parks(vec![1, 2]))
        );
        assert_eq!(
            Visibility::of(&user(Role::Committee, None, &[2]), &parks),
            Ok(Visibility::Parks(vec![2]))
        );
        assert!(Visibility::of(&user(Role::Applicant, None, &[]), &parks).is_err());
        assert_eq!(
            Visibility::of(&Caller::Anonymous, &parks),
            Err(Denied::Unauthenticated)
        );
    }

    #[test]
    fn jurisdictions() {
        assert!(parse_jurisdiction("j", "361021").is_ok() && parse_jurisdiction("j", "36").is_ok());
        assert!(
            parse_jurisdiction("j", "3610211").is_err()
                && parse_jurisdiction("j", "36'--").is_err()
        );
    }
    #[test]
    fn passwords_are_long_not_clever() {
        assert!(check_password("short").is_err());
        assert!(check_password(&"密".repeat(9)).is_err(), "nine characters");
        assert_eq!(
            check_password(&"密".repeat(10)),
            Ok(()),
            "characters, not bytes"
        );
        assert_eq!(check_password("long enough!"), Ok(()));
        assert!(check_password(&"a".repeat(1025)).is_err());
        assert_eq!(check_password(&"a".repeat(1024)), Ok(()));
    }

    #[test]
    fn accounts_have_free_names_known_parks_and_future_expiries() {
        assert_eq!(check_user_name_free("li.wei", false), Ok(()));
        assert!(matches!(
            check_user_name_free("li.wei", true),
            Err(Refusal::Conflict(_))
        ));
        assert_eq!(check_parks_known(&[1, 2], &[2, 1]), Ok(()));
        assert_eq!(check_parks_known(&[], &[]), Ok(()));
        let Err(Refusal::Invalid(e)) = check_parks_known(&[1, 7, 9], &[1]) else {
            panic!("unknown parks accepted");
        };
        assert_eq!(
            (e[0].field.as_str(), e[0].message.as_str()),
            ("parks", "no park with id 7, 9")
        );
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap();
        assert_eq!(check_token_expiry(None, now), Ok(()));
        assert_eq!(
            check_token_expiry(Some(now + chrono::TimeDelta::seconds(1)), now),
            Ok(())
        );
        assert!(check_token_expiry(Some(now), now).is_err(), "expiring now");
    }

    #[test]
    fn an_account_change_keeps_the_role_in_scope_and_the_first_disabling() {
        let at = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap()
        };
        let u = User {
            id: 3,
            name: "nc.admin".into(),
            display_name: "南城管委会".into(),
            role: Role::Committee,
            jurisdiction: None,
            parks: vec![1],
            created: crate::domain::register::Stamp::stored("admin".into(), at(1)),
            disabled_at: None,
        };
        let disable = UserChanges {
            disabled: Some(true),
            ..Default::default()
        };
        let off = u.apply(disable.clone(), at(9)).unwrap();
        assert_eq!(off.disabled_at, Some(at(9)));
        assert_eq!(
            off.apply(disable, at(10)).unwrap().disabled_at,
            Some(at(9)),
            "disabling again keeps the first time"
        );
        let on = UserChanges {
            disabled: Some(false),
            ..Default::default()
        };
        assert_eq!(off.apply(on, at(11)).unwrap().disabled_at, None);
        let no_parks = UserChanges {
            parks: Some(vec![]),
            ..Default::default()
        };
        assert!(
            u.apply(no_parks, at(9)).is_err(),
            "a committee user needs a park"
        );
        let renamed = UserChanges {
            display_name: Some("南城园区".into()),
            parks: Some(vec![1, 2]),
            ..Default::default()
        };
        let after = u.apply(renamed, at(9)).unwrap();
        assert_eq!(
            (after.display_name.as_str(), after.parks.as_slice()),
            ("南城园区", &[1, 2][..])
        );
        assert_eq!(after.name, u.name, "the name never changes");
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Option<String>,
    pub parks: Vec<i64>,
    pub created: super::register::Stamp,
    pub disabled_at: Option<chrono::NaiveDateTime>,
}

/// A checked new user.
#[derive(Debug, Clone)]
pub struct UserDraft {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Option<String>,
    pub parks: Vec<i64>,
}

/// Checked changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub jurisdiction: Option<Option<String>>,
    pub parks: Option<Vec<i64>>,
    pub disabled: Option<bool>,
}

/// An API token as lists show it: never the secret.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created: super::register::Stamp,
    pub expires_at: Option<chrono::NaiveDateTime>,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub last_used_at: Option<chrono::NaiveDateTime>,
}

/// A user name: 2–64 characters of letters, digits, `.`, `_`, `-` (they appear in the audit
/// trail and on the command line).
pub fn parse_user_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim();
    let ok = (2..=64).contains(&v.chars().count())
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !v.starts_with("cli:");
    if ok {
        Ok(v.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!("`{v}` is not a user name: 2–64 letters, digits, `.`, `_` or `-`"),
        ))
    }
}

/// What each role needs: a bureau its jurisdiction, a committee at least one park.
pub fn check_role_scope(
    role: Role,
    jurisdiction: Option<&str>,
    parks: &[i64],
) -> Result<(), FieldError> {
    match role {
        Role::Bureau if jurisdiction.is_none() => Err(FieldError::new(
            "jurisdiction",
            "a bureau user needs a jurisdiction (e.g. 361021)",
        )),
        Role::Committee if parks.is_empty() => Err(FieldError::new(
            "parks",
            "a committee user needs the park(s) it manages",
        )),
        _ => Ok(()),
    }
}
