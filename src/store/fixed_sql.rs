//! SQL text fixed in the code, which lets PostgreSQL keep a query prepared.
//!
//! diesel prepares a statement once per connection and keeps it — PostgreSQL then keeps its
//! parse, and plans it for each run's values (`store::prepare_postgres`) — unless a part of
//! the query could be any text: `diesel::dsl::sql` may hold text built at run time, so a query
//! with one is prepared afresh for every run (a round trip more, and 0.15–0.3 ms of parsing
//! for the map page's query). [`Fixed`] and [`FixedBox`] hold only `&'static str`s, so a
//! query made of them and of diesel's own expressions has as many texts as the code can write.
//!
//! Each kept statement costs its connection's PostgreSQL backend about 50 KB (its parse trees;
//! 115 KB with a generic plan kept beside them), so the parcels' listings keep only the map
//! view's few shapes ([`super::parcels`], `keeps_plan`); any other listing stays unprepared.

use crate::spatial::Bbox;
use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping,
    is_aggregate,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, Double, HasSqlType};
use std::marker::PhantomData;

/// SQL text of type `ST`, fixed in the code.
#[derive(Debug, Clone, Copy)]
pub struct Fixed<ST> {
    sql: &'static str,
    _type: PhantomData<ST>,
}

/// `sql` as an expression of type `ST` that leaves its query preparable. One call site, one
/// text: a text chosen by a request (a `sortby` key, a tile's properties) would make the
/// statements a connection keeps as many as the choices — use `diesel::dsl::sql` there.
pub(crate) fn fixed<ST>(sql: &'static str) -> Fixed<ST> {
    Fixed {
        sql,
        _type: PhantomData,
    }
}

impl<ST: TypedExpressionType> Expression for Fixed<ST> {
    type SqlType = ST;
}

impl<ST, DB: Backend> QueryFragment<DB> for Fixed<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// A box test: `before`, the box's four numbers bound as values, `after`.
#[derive(Debug, Clone, Copy)]
pub struct FixedBox {
    pub(crate) before: &'static str,
    pub(crate) b: Bbox,
    pub(crate) after: &'static str,
}

impl Expression for FixedBox {
    type SqlType = Bool;
}

impl<DB> QueryFragment<DB> for FixedBox
where
    DB: Backend + HasSqlType<Double>,
    f64: ToSql<Double, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.before);
        let b = &self.b;
        for (i, v) in [&b.min_x, &b.min_y, &b.max_x, &b.max_y]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Double, f64>(v)?;
        }
        out.push_sql(self.after);
        Ok(())
    }
}

/// What diesel's `SqlLiteral` says of itself, said of both: any type, any table, never an
/// aggregate, no static query id (the text is the statement's key).
macro_rules! like_a_literal {
    ($t:ty $(, $p:ident)?) => {
        impl<$($p)?> QueryId for $t {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
        impl<QS $(, $p)?> SelectableExpression<QS> for $t where Self: Expression {}
        impl<QS $(, $p)?> AppearsOnTable<QS> for $t where Self: Expression {}
        impl<GB $(, $p)?> ValidGrouping<GB> for $t {
            type IsAggregate = is_aggregate::Never;
        }
    };
}
like_a_literal!(Fixed<ST>, ST);
like_a_literal!(FixedBox);
