"""SOAP partner login: the LoginResult read by position (as pysfpubsub reads it) and by
simple-salesforce's own parser, INVALID_LOGIN faults, logout."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from support.identity import Idp

_LOGIN = """<?xml version="1.0" encoding="utf-8" ?>
<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:urn="urn:partner.soap.sforce.com">
  <env:Body>
    <n1:login xmlns:n1="urn:partner.soap.sforce.com">
      <n1:username>{username}</n1:username>
      <n1:password>{password}</n1:password>
    </n1:login>
  </env:Body>
</env:Envelope>"""


def _login(idp: Idp, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{idp.url}/services/Soap/u/59.0",
        data=_LOGIN.format(username=username, password=password).encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"},
        timeout=30,
    )


def test_login_result_read_by_position(idp: Idp) -> None:
    r = _login(idp, idp.user, idp.password)
    assert r.status_code == 200, r.text
    # Envelope > Body > loginResponse > result, then children by index, as pysfpubsub does.
    result = ET.fromstring(r.content)[0][0][0]
    names = [child.tag.split("}")[1] for child in result]
    assert names == [
        "metadataServerUrl",
        "passwordExpired",
        "sandbox",
        "serverUrl",
        "sessionId",
        "userId",
        "userInfo",
    ]
    server_url = result[3].text or ""
    assert server_url.startswith(idp.url + "/services/Soap/u/59.0/")
    session_id = result[4].text or ""
    assert result[5].text == idp.user_id
    user_info = result[6]
    org_id = user_info[8].text or ""
    assert user_info[8].tag.endswith("}organizationId")
    assert session_id.startswith(org_id[:15] + "!")
    assert server_url.endswith("/" + org_id[:15])
    by_name = {c.tag.split("}")[1]: c.text for c in user_info}
    assert by_name["userName"] == idp.user and by_name["userId"] == idp.user_id
    sf = Salesforce(
        instance_url=idp.url, session_id=session_id, session=requests.Session(), version="59.0"
    )
    assert sf.User.get(idp.user_id)["Username"] == idp.user


def test_bad_credentials_fault_invalid_login(idp: Idp) -> None:
    for user, password in ((idp.user, "wrong"), ("ghost@switchboard.test", "x")):
        r = _login(idp, user, password)
        assert r.status_code == 500
        fault = ET.fromstring(r.content)[0][0]
        assert fault.tag.endswith("}Fault")
        assert fault.find("faultcode").text == "sf:INVALID_LOGIN"  # type: ignore[union-attr]
        assert "INVALID_LOGIN" in r.text and "locked out" in r.text


def test_malicious_xml_is_refused(idp: Idp) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        "<env:Body><login><username>&b;</username><password>x</password></login>"
        "</env:Body></env:Envelope>"
    )
    r = requests.post(f"{idp.url}/services/Soap/u/59.0", data=bomb, headers={"SOAPAction": "login"})
    assert r.status_code == 500 and "INVALID_REQUEST" in r.text


def test_simple_salesforce_soap_login_and_logout(idp: Idp) -> None:
    # simple-salesforce builds https://{domain}.salesforce.com, so `domain=` cannot name
    # host:port; its login function takes the base URL as `scratch_url` instead.
    session_id, instance = SalesforceLogin(
        username=idp.user,
        password=idp.password,
        security_token=idp.security_token,
        scratch_url=idp.url,
        session=requests.Session(),
    )
    assert instance == idp.url.removeprefix("https://")
    sf = Salesforce(
        instance=instance, session_id=session_id, session=requests.Session(), version="59.0"
    )
    assert sf.User.get(idp.user_id)["Username"] == idp.user
    try:
        SalesforceLogin(username=idp.user, password="nope", security_token="", scratch_url=idp.url)
        raise AssertionError("a wrong password logged in")
    except SalesforceAuthenticationFailed as exc:
        assert exc.code == "INVALID_LOGIN"

    logout = f"""<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><SessionHeader xmlns="urn:partner.soap.sforce.com">
<sessionId>{session_id}</sessionId></SessionHeader></env:Header>
<env:Body><logout xmlns="urn:partner.soap.sforce.com"/></env:Body></env:Envelope>"""
    r = requests.post(
        f"{idp.url}/services/Soap/u/59.0", data=logout, headers={"SOAPAction": "logout"}
    )
    assert r.status_code == 200 and "logoutResponse" in r.text
    try:
        sf.User.get(idp.user_id)
        raise AssertionError("the session outlived logout")
    except SalesforceExpiredSession:
        pass
