//! Walking a list operation page by page: [`Pages`].
//!
//! This file is copied verbatim into every generated crate that has list operations (after the
//! provenance line); it is hand-written so that it stays readable, and is compiled and tested as
//! part of those crates. The generated `…_pages` methods only say how one page is asked for and
//! read; when to ask for the next one, and when to stop, is decided here, once.

use std::future::Future;
use std::pin::Pin;

use super::error::Error;

/// How many items a page asks for unless [`Pages::page_size`] says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// One page as a list operation's answer gives it.
pub(crate) struct Page<I> {
    /// The answer's `totalCount`: how long the list was when the page was read.
    pub total: Option<i64>,
    pub items: Vec<I>,
}

/// The future of one page.
pub(crate) type PageFuture<I> = Pin<Box<dyn Future<Output = Result<Page<I>, Error>> + Send>>;

/// Asks for the items from `start` (inclusive) to `end` (exclusive).
pub(crate) type Fetch<I> = Box<dyn FnMut(i64, i64) -> PageFuture<I> + Send>;

/// Every item of a list operation, read a page at a time, each page only when it is needed. A
/// `…_pages` method of [`Client`](super::Client) or [`Service`](super::Service) makes one.
///
/// [`Pages::next_item`] gives one item after another, [`Pages::next_page`] a page at a time, and
/// [`Pages::collect_all`] all of them. A failed page is an error and nothing more: calling again
/// asks for the same page, so a caller can go on after an error.
///
/// The walk ends at an empty page, once as many items were read as the list's `totalCount`, or at
/// the `end` the query gave. Each page is asked for from where the items read so far end, so a
/// server that gives fewer items than asked for skips nothing; a list that shrinks while it is
/// walked ends the walk early rather than repeating items, and every page moves the walk forward,
/// so it always ends. Items added or removed before the current position while it is walked can
/// still shift others across a page boundary: offset paging cannot see that.
///
/// ```no_run
/// # #[cfg(feature = "client-management")]
/// # async fn run(service: authlete::Service) -> Result<(), authlete::Error> {
/// use authlete::operations::ClientGetListQuery;
///
/// let mut clients = service.client_get_list_pages(&ClientGetListQuery::default()).page_size(50);
/// while let Some(client) = clients.next_item().await? {
///     println!("{:?}", client.client_name);
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a walk does nothing until its pages are asked for"]
pub struct Pages<I> {
    fetch: Fetch<I>,
    /// Where the next page starts.
    next: i64,
    /// Where the walk stops, if the query said.
    end: Option<i64>,
    page_size: u32,
    done: bool,
    /// The rest of the page [`Pages::next_item`] is reading.
    buffer: std::vec::IntoIter<I>,
    pages: u32,
}

impl<I> Pages<I> {
    /// A walk from `start` (0 if `None`) to `end` (the end of the list if `None`).
    pub(crate) fn new(start: Option<i64>, end: Option<i64>, fetch: Fetch<I>) -> Self {
        Pages {
            fetch,
            next: start.unwrap_or(0).max(0),
            end,
            page_size: DEFAULT_PAGE_SIZE,
            done: false,
            buffer: Vec::new().into_iter(),
            pages: 0,
        }
    }

    /// How many items each page asks for ([`DEFAULT_PAGE_SIZE`] unless set; `0` is taken as 1).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// How many pages were read so far.
    pub fn pages_read(&self) -> u32 {
        self.pages
    }

    /// The next page of items, `None` once the walk is over. An error leaves the walk where it
    /// was.
    pub async fn next_page(&mut self) -> Result<Option<Vec<I>>, Error> {
        let mut upto = self.next.saturating_add(i64::from(self.page_size));
        if let Some(end) = self.end {
            upto = upto.min(end);
        }
        if self.done || upto <= self.next {
            self.done = true;
            return Ok(None);
        }
        let Page { total, mut items } = (self.fetch)(self.next, upto).await?;
        self.pages += 1;
        if let Some(end) = self.end {
            // A server that gives more than asked for does not carry the walk past its end.
            items.truncate(usize::try_from(end - self.next).unwrap_or(usize::MAX));
        }
        if items.is_empty() {
            self.done = true;
            return Ok(None);
        }
        self.next = self.next.saturating_add(i64::try_from(items.len()).unwrap_or(i64::MAX));
        let past_total = total.is_some_and(|total| self.next >= total);
        let past_end = self.end.is_some_and(|end| self.next >= end);
        self.done = past_total || past_end;
        Ok(Some(items))
    }

    /// The next item, `None` once the walk is over; a page is asked for only when the one read
    /// before is used up.
    pub async fn next_item(&mut self) -> Result<Option<I>, Error> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Ok(Some(item));
            }
            match self.next_page().await? {
                Some(items) => self.buffer = items.into_iter(),
                None => return Ok(None),
            }
        }
    }

    /// Every remaining item.
    pub async fn collect_all(mut self) -> Result<Vec<I>, Error> {
        let mut all: Vec<I> = self.buffer.by_ref().collect();
        while let Some(items) = self.next_page().await? {
            all.extend(items);
        }
        Ok(all)
    }
}

impl<I> std::fmt::Debug for Pages<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next", &self.next)
            .field("end", &self.end)
            .field("page_size", &self.page_size)
            .field("done", &self.done)
            .field("pages_read", &self.pages)
            .finish_non_exhaustive()
    }
}

/// An index as the operation's query parameter type: an index that does not fit asks for a page
/// past any real list (which is empty, and ends the walk) instead of wrapping around.
pub(crate) fn index<N: TryFrom<i64> + Bounded>(value: i64) -> N {
    N::try_from(value).unwrap_or(N::MAX)
}

/// Integer types with a largest value, for [`index`].
pub(crate) trait Bounded {
    const MAX: Self;
}

impl Bounded for i32 {
    const MAX: Self = i32::MAX;
}

impl Bounded for i64 {
    const MAX: Self = i64::MAX;
}
