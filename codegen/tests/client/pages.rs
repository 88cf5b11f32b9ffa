//! Walking list operations page by page (`…_pages` methods and `Pages`), against a mock Authlete
//! that serves a list by its `start` and `end` query parameters.

use std::sync::{Arc, Mutex};

use authlete::operations::{ClientAuthorizationGetListQuery, ClientGetListQuery};
use serde_json::json;

use crate::scripted::{Answer, MockServer, Seen};

/// `start` and `end` of a request, as sent.
fn range(seen: &Seen) -> (i64, i64) {
    let query = seen.uri.query().unwrap_or_default();
    let value = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
            .unwrap_or_else(|| panic!("`{name}` in {query}"))
            .parse()
            .expect("an integer")
    };
    (value("start"), value("end"))
}

/// Serves the clients whose IDs are in `list` (which a test may change between pages); at most
/// `cap` per page, as a server with a page size limit would.
async fn list_server(list: Arc<Mutex<Vec<i64>>>, cap: usize) -> MockServer {
    MockServer::handler(move |seen| {
        let (start, end) = range(seen);
        let list = list.lock().unwrap();
        let page: Vec<_> = list
            .iter()
            .skip(start as usize)
            .take(((end - start).max(0) as usize).min(cap))
            .map(|id| json!({"clientId": id}))
            .collect();
        Answer::json(200, json!({"start": start, "end": end, "totalCount": list.len(), "clients": page}))
    })
    .await
}

fn ids(clients: &[authlete::models::Client]) -> Vec<i64> {
    clients.iter().map(|c| c.client_id.expect("an id")).collect()
}

#[tokio::test]
async fn items_are_walked_across_page_boundaries_a_page_at_a_time() {
    let list = Arc::new(Mutex::new((100..107).collect::<Vec<_>>()));
    let server = list_server(list, usize::MAX).await;
    let service = server.client(|b| b).service("1");
    let mut pages = service.client_get_list_pages(&ClientGetListQuery::default().developer("dev")).page_size(3);
    assert!(server.seen().is_empty(), "nothing is asked for before the first item is");
    let first = pages.next_item().await.unwrap().expect("an item");
    assert_eq!(first.client_id, Some(100));
    assert_eq!(server.seen().len(), 1, "one page for the first item");
    let mut rest = Vec::new();
    while let Some(client) = pages.next_item().await.unwrap() {
        rest.push(client.client_id.unwrap());
    }
    assert_eq!(rest, [101, 102, 103, 104, 105, 106]);
    let seen = server.seen();
    assert_eq!(seen.iter().map(range).collect::<Vec<_>>(), [(0, 3), (3, 6), (6, 9)]);
    assert!(seen.iter().all(|s| s.uri.query().unwrap().starts_with("developer=dev&")), "other parameters are kept");
    assert!(seen.iter().all(|s| s.uri.path() == "/api/1/client/get/list"));
    assert_eq!(pages.pages_read(), 3);
    assert!(pages.next_item().await.unwrap().is_none(), "an ended walk stays ended");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn a_list_whose_length_is_a_multiple_of_the_page_size_ends_without_an_extra_request() {
    let server = list_server(Arc::new(Mutex::new((0..6).collect())), usize::MAX).await;
    let pages = server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(3);
    assert_eq!(ids(&pages.collect_all().await.unwrap()), [0, 1, 2, 3, 4, 5]);
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 3), (3, 6)], "totalCount says it is over");
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = list_server(Arc::new(Mutex::new(Vec::new())), usize::MAX).await;
    let mut pages = server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default());
    assert!(pages.next_page().await.unwrap().is_none());
    assert!(pages.next_item().await.unwrap().is_none());
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 100)], "the default page size");
}

#[tokio::test]
async fn a_list_that_shrinks_while_it_is_walked_ends_without_repeating_or_looping() {
    let list = Arc::new(Mutex::new((0..10).collect::<Vec<_>>()));
    let server = list_server(list.clone(), usize::MAX).await;
    let mut pages =
        server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(4);
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), [0, 1, 2, 3]);
    // Five clients are deleted: the list is now 0, 1, 2, 3, 4.
    list.lock().unwrap().truncate(5);
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), [4]);
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 4), (4, 8)], "totalCount 5 ends it");

    // Shrinking below the walk's position: the next page is empty, and that ends it.
    let list = Arc::new(Mutex::new((0..10).collect::<Vec<_>>()));
    let server = list_server(list.clone(), usize::MAX).await;
    let mut pages =
        server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(4);
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), [0, 1, 2, 3]);
    list.lock().unwrap().truncate(2);
    assert!(pages.next_page().await.unwrap().is_none());
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_server_that_gives_fewer_items_than_asked_for_skips_nothing() {
    let server = list_server(Arc::new(Mutex::new((0..5).collect())), 2).await;
    let pages = server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(4);
    assert_eq!(ids(&pages.collect_all().await.unwrap()), [0, 1, 2, 3, 4]);
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 4), (2, 6), (4, 8)]);
}

#[tokio::test]
async fn start_and_end_of_the_query_bound_the_walk() {
    let server = list_server(Arc::new(Mutex::new((0..10).collect())), usize::MAX).await;
    let query = ClientGetListQuery::default().start(2).end(7);
    let pages = server.client(|b| b).service("1").client_get_list_pages(&query).page_size(2);
    assert_eq!(ids(&pages.collect_all().await.unwrap()), [2, 3, 4, 5, 6]);
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(2, 4), (4, 6), (6, 7)]);
}

#[tokio::test]
async fn an_answer_without_total_count_ends_at_the_first_empty_page() {
    let server = MockServer::sequence([
        Answer::json(200, json!({"clients": [{"clientId": 1}, {"clientId": 2}]})),
        Answer::json(200, json!({"clients": [{"clientId": 3}]})),
        Answer::json(200, json!({})),
    ])
    .await;
    let pages = server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(2);
    assert_eq!(ids(&pages.collect_all().await.unwrap()), [1, 2, 3]);
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 2), (2, 4), (3, 5)]);
}

#[tokio::test]
async fn a_failed_page_is_an_error_and_asking_again_resumes_there() {
    let server = MockServer::sequence([
        Answer::json(200, json!({"totalCount": 3, "clients": [{"clientId": 1}, {"clientId": 2}]})),
        Answer::json(500, json!({"resultCode": "A001101", "resultMessage": "down"})),
        Answer::json(200, json!({"totalCount": 3, "clients": [{"clientId": 3}]})),
    ])
    .await;
    let mut pages =
        server.client(|b| b).service("1").client_get_list_pages(&ClientGetListQuery::default()).page_size(2);
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), [1, 2]);
    let error = pages.next_page().await.expect_err("the server fails");
    assert_eq!(error.status(), Some(500));
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), [3]);
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(server.seen().iter().map(range).collect::<Vec<_>>(), [(0, 2), (2, 4), (2, 4)]);
}

#[tokio::test]
async fn required_arguments_are_sent_with_every_page() {
    let server = MockServer::handler(|seen| {
        let (start, end) = range(seen);
        let page: Vec<_> = (start..end.min(3)).map(|i| json!({"clientId": i})).collect();
        Answer::json(200, json!({"totalCount": 3, "clients": page}))
    })
    .await;
    let pages = server
        .client(|b| b)
        .service("1")
        .client_authorization_get_list_pages("user 1", &ClientAuthorizationGetListQuery::default())
        .page_size(2);
    let items = pages.collect_all().await.unwrap();
    assert_eq!(items.iter().map(|c| c.client_id.unwrap()).collect::<Vec<_>>(), [0, 1, 2]);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.uri.query().unwrap().starts_with("subject=user+1&")), "{:?}", seen[0].uri);
}
