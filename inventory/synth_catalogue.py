"""Reference lists behind the synthetic estate: a UK unitary council's services.

Plain data for :mod:`inventory.synth`: service areas with generic product-like
application names, operating systems, ESXi versions, suppliers and name
qualifiers. Nothing here is random; the generator draws from these lists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    """An application template.

    ``flags`` (a string of letters): ``c`` critical, ``h`` at least high,
    ``r`` resident-facing, ``b`` annual-billing blackout (Feb; Mar), ``s`` a
    SaaS replacement exists, ``0`` identity/network tier (moves first), ``1``
    integration tier (moves after tier 0, before the rest), ``l`` legacy
    (retire is an option), ``p`` runs on physical kit (database/appliance).
    """

    name: str
    flags: str = ""


#: Service area -> (weight for extra applications, products).
SERVICES: dict[str, tuple[float, tuple[Product, ...]]] = {
    "Revenues & Benefits": (3.0, (
        Product("Revenues & Benefits core system", "cbsp"),
        Product("Benefits document imaging", "bl"),
        Product("Housing Benefit claims portal", "rbs"),
        Product("Discretionary Housing Payments tracker", "b"),
        Product("Revenues & Benefits reporting warehouse", "b"),
        Product("Benefits risk-based verification", "bs"),
        Product("Council Tax Reduction calculator", "rb"),
    )),
    "Council Tax": (2.5, (
        Product("Council Tax billing engine", "cbp"),
        Product("Council Tax e-billing portal", "rbs"),
        Product("Single person discount review tool", "bs"),
        Product("Business rates (NNDR) system", "hb"),
        Product("Recovery & enforcement agent interface", "b"),
        Product("Council Tax online payments", "rbh"),
    )),
    "Adult Social Care": (3.0, (
        Product("Social care case management (adults)", "cp"),
        Product("Care provider payments", "h"),
        Product("Financial assessment calculator", "s"),
        Product("Telecare monitoring platform", "hp"),
        Product("Adult social care online self-assessment", "rs"),
        Product("Direct payments prepaid card interface", ""),
        Product("Care home brokerage", "s"),
    )),
    "Children's Social Care": (3.0, (
        Product("Children's social care case management", "cp"),
        Product("Early Help case system", "h"),
        Product("MASH referrals system", "h"),
        Product("Fostering & adoption records", ""),
        Product("Youth Justice case system", ""),
        Product("Children's services family portal", "rs"),
    )),
    "Education & Schools Admissions": (2.5, (
        Product("School admissions portal", "rs"),
        Product("Education management information system", "h"),
        Product("SEND (EHCP) hub", "s"),
        Product("Home-to-school transport planner", ""),
        Product("Free school meals eligibility checker", "rs"),
        Product("School payments gateway", "rs"),
    )),
    "Planning & Building Control": (2.0, (
        Product("Planning portal", "rs"),
        Product("Development management system", "h"),
        Product("Building control case system", "s"),
        Product("Local land charges register", ""),
        Product("Planning document viewer", "rl"),
        Product("Section 106 monitoring", "l"),
    )),
    "Highways & Transport": (2.0, (
        Product("Highways asset management", "h"),
        Product("Street works permit scheme", "s"),
        Product("Report-a-pothole", "rs"),
        Product("Winter gritting route planner", ""),
        Product("Concessionary travel passes", "r"),
        Product("Traffic signals monitoring", "p"),
        Product("Street lighting central management", "p"),
    )),
    "Waste & Recycling": (2.0, (
        Product("Waste collection round management", "h"),
        Product("In-cab crew devices back office", ""),
        Product("Bulky waste booking", "rs"),
        Product("Garden waste subscriptions", "rs"),
        Product("Household recycling centre booking", "rs"),
        Product("Trade waste billing", ""),
    )),
    "Libraries": (1.0, (
        Product("Library management system", "s"),
        Product("Library e-books platform", "rs"),
        Product("Public PC booking", "r"),
        Product("Library self-service kiosks", "p"),
    )),
    "Leisure": (1.0, (
        Product("Leisure centre bookings", "rs"),
        Product("Leisure membership & access control", "p"),
        Product("Parks & open spaces asset register", "l"),
        Product("Sports pitch bookings", "r"),
    )),
    "Elections & Electoral Registration": (1.0, (
        Product("Electoral management system", "h"),
        Product("Electoral registration interface", ""),
        Product("Postal vote identifier verification", ""),
        Product("Election results publisher", "rl"),
    )),
    "Registrars": (0.8, (
        Product("Registration & ceremonies booking", "rs"),
        Product("Births, deaths & marriages appointments", "r"),
        Product("Nationality checking service", ""),
    )),
    "Licensing": (0.8, (
        Product("Licensing case management", "s"),
        Product("Taxi & private hire licensing portal", "r"),
        Product("Premises licence public register", "rl"),
    )),
    "Environmental Health": (1.0, (
        Product("Environmental health & trading standards system", "s"),
        Product("Food hygiene inspections", ""),
        Product("Pest control bookings", "r"),
        Product("Noise nuisance reporting app", "r"),
        Product("Air quality monitoring", "p"),
    )),
    "Housing & Homelessness": (2.0, (
        Product("Housing register & allocations", "rh"),
        Product("Homelessness case management", "h"),
        Product("Housing repairs scheduler", ""),
        Product("Temporary accommodation manager", ""),
        Product("Choice-based lettings portal", "rs"),
        Product("Private sector housing licensing", "l"),
    )),
    "HR & Payroll": (1.5, (
        Product("HR & payroll system", "cp"),
        Product("Recruitment portal", "rs"),
        Product("E-learning platform", "s"),
        Product("Time & attendance", "p"),
        Product("Occupational health records", "s"),
        Product("Pensions interface", "h"),
    )),
    "Finance & ERP": (2.0, (
        Product("Finance ERP (general ledger)", "cp"),
        Product("Accounts payable e-invoicing", "h"),
        Product("Income management & cash receipting", "c"),
        Product("Budget planning tool", "s"),
        Product("Sundry debtors recovery", ""),
        Product("Treasury management", "l"),
        Product("Online payments gateway", "rh"),
    )),
    "Procurement": (0.8, (
        Product("E-procurement & tendering portal", "s"),
        Product("Contracts register", "l"),
        Product("Purchase card reconciliation", ""),
    )),
    "Customer Services": (2.0, (
        Product("My Account resident portal", "rh"),
        Product("Customer relationship management (CRM)", "h"),
        Product("Online forms platform", "rs"),
        Product("Appointments booking", "rs"),
        Product("Council website content management", "rh"),
        Product("Web chat & chatbot", "rs"),
    )),
    "Contact Centre & Telephony": (1.2, (
        Product("Contact centre telephony", "hp"),
        Product("Call recording", "p"),
        Product("IVR & automated payments line", "r"),
        Product("Unified communications", "s"),
        Product("Contact centre workforce management", "s"),
    )),
    "GIS & Land/Property Gazetteer": (1.0, (
        Product("Corporate GIS", "h"),
        Product("Local Land & Property Gazetteer (LLPG)", "h"),
        Product("Street naming & numbering", "l"),
        Product("Public web mapping", "r"),
    )),
    "Document & Records Management": (1.5, (
        Product("Electronic document & records management (EDRMS)", "hp"),
        Product("Scanning & mail room", "p"),
        Product("Records retention manager", "l"),
        Product("Hybrid mail print & post", ""),
    )),
    "Legal": (0.8, (
        Product("Legal case management", "s"),
        Product("Legal time recording", "l"),
        Product("FOI & subject access requests", "rs"),
    )),
    "Democratic Services": (0.8, (
        Product("Committee management", "s"),
        Product("Councillor casework", ""),
        Product("Webcasting of meetings", "rs"),
        Product("E-petitions", "rl"),
    )),
    "Parking": (1.0, (
        Product("Parking enforcement (PCN processing)", "h"),
        Product("Parking permits portal", "rs"),
        Product("Pay-by-phone integration", "r"),
        Product("Car park occupancy monitoring", "p"),
    )),
    "Public Health": (1.0, (
        Product("Public health intelligence warehouse", ""),
        Product("Sexual health booking", "rs"),
        Product("Stop smoking service records", "l"),
        Product("NHS Health Checks recall", ""),
    )),
    "ICT Infrastructure": (3.0, (
        Product("Active Directory & identity", "c0"),
        Product("Identity federation & MFA", "h0"),
        Product("Network services (DNS, DHCP, NAC)", "h0"),
        Product("Email & messaging (hybrid)", "h"),
        Product("Integration hub (enterprise service bus)", "h1"),
        Product("Database platform (SQL Server estate)", "h1p"),
        Product("Secure file transfer", "1"),
        Product("Data warehouse & BI", "1"),
        Product("File & print services", ""),
        Product("Backup & recovery", "hp"),
        Product("Infrastructure monitoring", ""),
        Product("Print management", "l"),
        Product("Remote access VPN", "p"),
        Product("IT service desk (ITSM)", "s"),
        Product("Endpoint management", "s"),
        Product("Security event monitoring (SIEM)", "h"),
        Product("Certificate services", ""),
        Product("Web proxy & filtering", "p"),
    )),
}

#: Qualifiers that make a further application of the same kind (large estates).
QUALIFIERS = (
    "reporting", "archive", "integration", "mobile app", "data feed", "legacy",
    "test environment", "training instance", "DR replica", "analytics", "v2",
    "interface", "public API", "batch jobs", "workflow", "self-service",
)

#: (OS name, end of support YYYY-MM or None when unknown to the generator).
WINDOWS_OS = (
    ("Microsoft Windows Server 2008 R2 (64-bit)", "2020-01"),
    ("Microsoft Windows Server 2012 R2 (64-bit)", "2023-10"),
    ("Microsoft Windows Server 2016 (64-bit)", "2027-01"),
    ("Windows Server 2019", "2029-01"),
    ("Windows Server 2022", "2031-10"),
)
LINUX_OS = (
    ("Red Hat Enterprise Linux 7 (64-bit)", "2024-06"),
    ("Red Hat Enterprise Linux 8 (64-bit)", "2029-05"),
    ("Red Hat Enterprise Linux 9 (64-bit)", "2032-05"),
    ("Ubuntu 20.04 LTS", "2025-05"),
    ("Ubuntu 22.04 LTS", "2027-06"),
)
#: Relative weights of the OS lists above (older versions rarer).
WINDOWS_WEIGHTS = (1.0, 3.0, 4.0, 4.0, 2.0)
LINUX_WEIGHTS = (2.0, 3.0, 1.5, 1.0, 1.5)
ESXI = ("VMware ESXi 6.5.0", "VMware ESXi 6.7.0", "VMware ESXi 7.0.3", "VMware ESXi 8.0.2")
ESXI_WEIGHTS = (1.0, 3.0, 4.0, 2.0)

#: Suppliers by contract category (generic names).
SUPPLIERS: dict[str, tuple[str, ...]] = {
    "support": ("Civic Software Ltd", "Northgate-style Systems plc", "Local Gov Apps Ltd",
                "Public Sector Solutions Ltd", "Casework Systems UK", "Borough Data Ltd"),
    "licence": ("Enterprise Software Licensing Ltd", "Database Corp UK", "Virtualisation Co",
                "Productivity Suite Reseller Ltd"),
    "maintenance": ("Server Hardware Services Ltd", "Storage & Compute Maintenance Ltd",
                    "Third-Party Maintenance UK"),
    "hosting": ("UK Cloud Hosting Ltd", "Managed Services Partner Ltd"),
    "datacentre": ("Facilities & Critical Power Ltd", "Data Centre Services Ltd"),
    "connectivity": ("PSN Network Services Ltd", "Regional Broadband Ltd", "WAN Carrier plc"),
    "saas": ("Gov SaaS Ltd", "Cloud Forms Ltd", "Bookings Online Ltd", "Citizen Portal Co"),
}


#: The non-digital route of a resident-facing service (what the roadmap shows
#: beside each change residents will see): telephone, face to face, paper.
CONTACT = "phone 0300 555 0100 or the Civic Centre customer desk"
NON_DIGITAL_ROUTES: dict[str, str] = {
    "Revenues & Benefits": "benefits line 0300 555 0110; paper claim forms at libraries",
    "Council Tax": "council tax line 0300 555 0120; Civic Centre customer desk",
    "Adult Social Care": "adult social care line 0300 555 0130; home visits",
    "Children's Social Care": "children's services line 0300 555 0140",
    "Education & Schools Admissions": "paper application forms from schools and libraries",
    "Waste & Recycling": "waste line 0300 555 0150; crew collection calendar by post",
    "Libraries": "library counters in every branch",
    "Parking": "parking line 0300 555 0160; pay at the Civic Centre desk",
    "Housing & Homelessness": "housing options desk at the Civic Centre; 24-hour line",
    "Elections & Electoral Registration": "paper registration forms by post",
}
