#include "curl_shim.h"

CURLcode ec_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_blob(CURL *h, CURLoption o, struct curl_blob *v) { return curl_easy_setopt(h, o, v); }
CURLcode ec_easy_setopt_data_callback(CURL *h, CURLoption o, ec_data_cb cb) { return curl_easy_setopt(h, o, cb); }
CURLcode ec_easy_setopt_xferinfo_callback(CURL *h, ec_xferinfo_cb cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }

CURLcode ec_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode ec_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
CURLcode ec_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
CURLcode ec_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
CURLcode ec_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

CURLMcode ec_multi_setopt_long(CURLM *h, CURLMoption o, long v) { return curl_multi_setopt(h, o, v); }
CURLMcode ec_multi_setopt_pointer(CURLM *h, CURLMoption o, void *v) { return curl_multi_setopt(h, o, v); }
CURLMcode ec_multi_setopt_socket_callback(CURLM *h, curl_socket_callback cb) { return curl_multi_setopt(h, CURLMOPT_SOCKETFUNCTION, cb); }
CURLMcode ec_multi_setopt_timer_callback(CURLM *h, curl_multi_timer_callback cb) { return curl_multi_setopt(h, CURLMOPT_TIMERFUNCTION, cb); }
