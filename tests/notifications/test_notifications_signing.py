"""The signature functions against the providers' own worked examples.

Aliyun RPC: the "签名机制" page of the OpenAPI documentation (help.aliyun.com, e.g.
document_detail/28139 and the ECS/SLB/VPC copies), DescribeRegions with AccessKeySecret
``testsecret``, signature ``CT9X0VtwR86fNWSnsc6v8YGOjuE=``. Aliyun SMS: the SendSms request
example of the SMS documentation (help.aliyun.com/document_detail/56189, 101343), AccessKeyId
``testId`` / secret ``testSecret``, signature ``zJDF+Lrzhj/ThnlvIToysFRq6t4=``.

Tencent Cloud: "签名方法 v3" (cloud.tencent.com/document/api/213/30654), CVM DescribeInstances
at timestamp 1551113065. The earlier revision of the page uses SecretId
``AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE`` / SecretKey ``Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`` and
signs ``content-type;host`` (signature ``72e494ea...``); the current revision masks both keys
(``AKID`` + 32 ``*``, SecretKey 32 ``*``) and signs ``x-tc-action`` as well (``10b1a37a...``).
"""

from __future__ import annotations

import pytest

from hotline.notifications import signing

# --- Aliyun -----------------------------------------------------------------------------------

ALIYUN_RPC_PARAMS = {
    "TimeStamp": "2016-02-23T12:46:24Z",
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26",
    "SignatureVersion": "1.0",
}
ALIYUN_RPC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
    "%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)

ALIYUN_SMS_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
ALIYUN_SMS_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
    "%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D"
    "%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1"
    "%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8"
    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466"
    "%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007"
    "%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D"
    "%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
)


def test_aliyun_rpc_documented_example():
    assert signing.aliyun_string_to_sign(ALIYUN_RPC_PARAMS, "GET") == ALIYUN_RPC_STRING_TO_SIGN
    assert (
        signing.aliyun_signature(ALIYUN_RPC_PARAMS, "testsecret", "GET")
        == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    )


def test_aliyun_sms_send_sms_documented_example():
    assert signing.aliyun_string_to_sign(ALIYUN_SMS_PARAMS, "GET") == ALIYUN_SMS_STRING_TO_SIGN
    assert (
        signing.aliyun_signature(ALIYUN_SMS_PARAMS, "testSecret", "GET")
        == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    )


def test_aliyun_signature_ignores_a_signature_parameter_and_depends_on_method_and_secret():
    base = signing.aliyun_signature(ALIYUN_SMS_PARAMS, "testSecret", "POST")
    assert (
        signing.aliyun_signature({**ALIYUN_SMS_PARAMS, "Signature": "x"}, "testSecret", "POST")
        == base
    )
    assert base != signing.aliyun_signature(ALIYUN_SMS_PARAMS, "testSecret", "GET")
    assert base != signing.aliyun_signature(ALIYUN_SMS_PARAMS, "other", "POST")
    assert signing.aliyun_string_to_sign(ALIYUN_SMS_PARAMS, "post").startswith("POST&%2F&")


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a b", "a%20b"),
        ("*", "%2A"),
        ("~-_.", "~-_."),
        ("+/=&:", "%2B%2F%3D%26%3A"),
        ("派", "%E6%B4%BE"),
        ('{"a":"b"}', "%7B%22a%22%3A%22b%22%7D"),
    ],
)
def test_aliyun_percent_encoding_rules(raw, encoded):
    assert signing.aliyun_percent_encode(raw) == encoded


# --- Tencent Cloud ----------------------------------------------------------------------------

TC3_PAYLOAD = (
    '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
TC3_PAYLOAD_HASH = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"


def test_tencent_tc3_documented_example_with_example_keys():
    signed = signing.tc3_sign(
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        host="cvm.tencentcloudapi.com",
        payload=TC3_PAYLOAD,
        timestamp=1551113065,
    )
    assert signed["canonical_request"] == (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
        f"host:cvm.tencentcloudapi.com\n\ncontent-type;host\n{TC3_PAYLOAD_HASH}"
    )
    assert signed["string_to_sign"] == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    )
    assert signed["signature"] == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    assert signing.tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", signed=signed
    ) == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_tencent_tc3_documented_example_current_revision_signs_the_action():
    signed = signing.tc3_sign(
        secret_key="*" * 32,
        service="cvm",
        host="cvm.tencentcloudapi.com",
        payload=TC3_PAYLOAD,
        timestamp=1551113065,
        action="DescribeInstances",
    )
    assert signed["canonical_request"].endswith(
        "x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n" + TC3_PAYLOAD_HASH
    )
    assert signed["string_to_sign"].endswith(
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    )
    assert signed["signature"] == "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"


def test_tencent_credential_date_is_the_utc_date():
    # 2019-02-25 23:59:59 UTC is already the 26th in Beijing: the scope keeps the UTC date.
    signed = signing.tc3_sign(
        secret_key="k",
        service="sms",
        host="sms.tencentcloudapi.com",
        payload="{}",
        timestamp=1551139199,
    )
    assert signed["credential_scope"] == "2019-02-25/sms/tc3_request"


# --- the generic HTTP gateway -----------------------------------------------------------------


def test_hotline_signature_is_hex_hmac_sha256_of_the_body():
    # The HMAC-SHA256 example everyone knows (key "key", the quick brown fox).
    body = b"The quick brown fox jumps over the lazy dog"
    expected = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    assert signing.hotline_signature(body, "key") == expected
    assert signing.hotline_signature_valid(body, "key", expected)
    assert not signing.hotline_signature_valid(body + b" ", "key", expected)
    assert not signing.hotline_signature_valid(body, "key", "")
